#!/bin/sh
# t-redispub-new-ring-resume: after a gap line with "new_ring":true (a
# ring created anew: seq starts again, tickpipe-json(5)) redispub's
# last_seq, the point tickpipe(8) resumes after, starts again too, from
# the new ring's lines: the old ring's highest seq would make a restarted
# pipeline skip the new ring's records up to it, with no gap line.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis

"$GEN" --count 500 --symbols 2 --snapshot-every 100 >"$T/old"
"$GEN" --count 120 --symbols 2 --snapshot-every 100 >"$T/new"
last_old=$(tail -n 1 "$T/old" | sed 's/.*"seq":\([0-9]*\).*/\1/')
last_new=$(tail -n 1 "$T/new" | sed 's/.*"seq":\([0-9]*\).*/\1/')
[ "$last_new" -lt "$last_old" ] || fail "the new ring's seq is not below the old one's"
{
	cat "$T/old"
	echo "{\"type\":\"gap\",\"from\":$((last_old + 1)),\"lost\":0,\"new_ring\":true}"
	cat "$T/new"
} >"$T/in"
"$RP" -u "$REDIS_URL" --stats-interval 1 <"$T/in" 2>"$T/err" ||
    fail "redispub exited $?: $(tail -n 3 "$T/err")"
assert_eq "last_seq at the end" "$last_new" "$(counter last_seq "$T/err")"
stored=$(rcli get md.tickpipe.stats | sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p')
assert_eq "last_seq stored for tickpipe(8)" "$last_new" "$stored"
