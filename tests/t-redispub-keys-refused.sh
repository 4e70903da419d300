#!/bin/sh
# t-redispub-keys-refused: a channel's late-joiner keys never miss a
# delta they claim to hold (redispub(1), tickpipe(7) "Late joiners").
# Redis at maxmemory with noeviction refuses APPEND and SET (-OOM) and
# still runs PUBLISH and DEL: the deltas published while it refused are
# not in C.deltas, so once Redis takes writes again the channel's next
# delta deletes both keys (not an APPEND onto the old ones, which would
# give late joiners the book without those deltas), and its next
# snapshot brings them back.  The deltas refused count as dropped, and
# redispub exits 69 at the end of its input.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
start_redis --maxmemory-policy noeviction

keys_gone() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0; }

keys_parts "$C"
keys_feed_a "$C"
rcli get "$C.snapshot" >"$T/snap.a"
# Redis refuses writes: b1's deltas are published, not appended
rcli config set maxmemory 1 >/dev/null
cat "$T/b1" >&3
wait_for 20 grep -q 'refused the APPEND.*OOM' "$T/err" ||
    fail "no refused APPEND logged: $(tail -n 3 "$T/err" | tr '\n' ' ')"
# Redis takes writes again (b1's APPENDs still in flight may succeed,
# after the hole)
rcli config set maxmemory 0 >/dev/null
cat "$T/b2" >&3
wait_for 20 keys_gone ||
    fail "the keys were kept after deltas missing from them: $C.snapshot $(rcli exists "$C.snapshot"), $C.deltas of $(rdeltas "$C.deltas" | wc -l) lines"
cat "$T/c" >&3
exec 3>&-
wait "$RP_PID"
assert_eq "exit status with lines dropped" 69 "$?"
note "$(counter dropped "$T/err") lines dropped"
book keys "$C" <"$T/in" >"$T/keys.want"
{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
cmp -s "$T/keys.want" "$T/keys.got" ||
    fail "after the next snapshot the keys do not hold it and the deltas after it"
note "$(wc -l <"$T/keys.want") lines in the rebuilt keys"
