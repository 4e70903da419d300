#!/bin/sh
# t-redispub-loss-del-refused: a gap line ends the late-joiner keys of
# every book (tickpipe(7) "Late joiners"): redispub deletes them with a
# DEL before publishing it.  When Redis refuses that DEL (here an ACL
# user denied DEL for a while), the keys are still there,
# holding a book the gap made wrong: the book's next delta deletes them
# again (redispub(1)), and its next snapshot rebuilds them.  The gap
# line counts as dropped; redispub exits 69.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
start_redis
rcli acl setuser feed on '>feedpw' '~*' '&*' +@all >/dev/null ||
    skip "no ACL support"
# shellcheck disable=SC2034 # keys_feed_a's (rp.sh)
REDIS_URL="redis://feed@127.0.0.1:$REDIS_PORT"
export TICKPIPE_REDIS_PASSWORD=feedpw

keys_there() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 2; }
keys_gone() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0; }

keys_parts "$C"
keys_feed_a "$C"
keys_there || fail "no keys of $C after part a"
rcli acl setuser feed -del >/dev/null
echo '{"type":"gap","from":999999,"lost":10}' >&3
wait_for 20 grep -q 'refused a command: NOPERM' "$T/err" ||
    fail "no refused DEL logged: $(tail -n 3 "$T/err" | tr '\n' ' ')"
keys_there || fail "the keys went though Redis refused their DEL"
rcli acl setuser feed +del >/dev/null
cat "$T/b1" >&3
wait_for 20 keys_gone ||
    fail "the keys a refused gap DEL left stay after the book's next delta: $C.snapshot $(rcli exists "$C.snapshot"), $C.deltas of $(rdeltas "$C.deltas" | wc -l) lines"
cat "$T/b2" "$T/c" >&3
exec 3>&-
wait "$RP_PID"
assert_eq "exit status with a line dropped" 69 "$?"
assert_eq "lines dropped" 1 "$(counter dropped "$T/err")"
book keys "$C" <"$T/in" >"$T/keys.want"
{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
cmp -s "$T/keys.want" "$T/keys.got" ||
    fail "after the next snapshot the keys do not hold it and the deltas after it"
