#!/bin/sh
# t-redispub-late-joiner: a subscriber that joins a book channel while
# redispub is publishing rebuilds the exact book from what Redis holds:
# SUBSCRIBE, then MULTI; GET C.snapshot; GET C.deltas; EXEC, then
# the live messages with a higher seq.  Its book at the end equals the
# book computed from every line fed in; so does the book rebuilt from the
# keys alone once the feed has ended.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=24000
C=md.sim.S01-USD.book
start_redis
"$GEN" --count "$N" --symbols 2 --snapshot-every 3000 --levels 8 >"$T/in"
book book "$C" <"$T/in" >"$T/want"
[ -s "$T/want" ] || fail "empty expected book"
# The same lines (the generator is deterministic but for timestamps) at
# 6000 lines/s for 4 s; the joiner comes in after 1.5 s, between snapshots.
# Through a fifo, so that both processes are tracked.
mkfifo "$T/gen"
"$GEN" --count "$N" --symbols 2 --snapshot-every 3000 --levels 8 --rate 6000 \
    >"$T/gen" &
track $!
"$RP" -u "$REDIS_URL" <"$T/gen" 2>"$T/err" &
rp=$!
track $rp
sleep 1.5
book joiner "$REDIS_PORT" "$C" 3 >"$T/joined" 2>"$T/joiner.err" || {
	cat "$T/joiner.err"
	fail "joiner failed"
}
wait_pid 30 $rp "redispub, at the end of its input,"
assert_eq "redispub exit status" 0 "$?"
cat "$T/joiner.err" >&2
grep -q 'applied [1-9][0-9]* live' "$T/joiner.err" || fail "joiner saw no live messages: joined too late"
cmp -s "$T/want" "$T/joined" || { diff "$T/want" "$T/joined" | head; fail "late joiner's book differs"; }
{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } | book rebuild >"$T/fromkeys"
cmp -s "$T/want" "$T/fromkeys" || fail "book rebuilt from the keys differs"
note "book of $(wc -l <"$T/want") levels rebuilt exactly"
