#!/bin/sh
# t-redispub-append-refused: when Redis refuses the APPEND that carries the
# deltas of several lines (here an ACL user without APPEND), each of those
# lines is counted as dropped, exactly once, and the counters still add
# up: lines = published + dropped + malformed; it exits 69.  A refusal
# makes the channel start over (redispub(1)): its deltas until its next
# snapshot go without an APPEND and are published, so between one and
# all of the deltas are dropped, as the replies come back, and every
# other line is published.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
rcli acl setuser feed on '>feedpw' '~*' '&*' +@all -append >/dev/null ||
    skip "no ACL support"
N=20000
"$GEN" --count "$N" --symbols 2 --snapshot-every 500 >"$T/in"
deltas=$(grep -c '"type":"book_delta"' "$T/in")
TICKPIPE_REDIS_PASSWORD=feedpw "$RP" -u "redis://feed@127.0.0.1:$REDIS_PORT" \
    --stats-interval 0 <"$T/in" 2>"$T/err"
rc=$?
# lines dropped at the end of input: 69, said (redispub(1) EXIT STATUS)
assert_eq "exit status with lines dropped" 69 "$rc"
grep -q "lines dropped (refused by Redis" "$T/err" ||
    fail "the drop not said at the end: $(tail -n 3 "$T/err")"
grep -q 'refused the APPEND' "$T/err" || fail "no refused APPEND logged"
dropped=$(counter dropped "$T/err") published=$(counter published "$T/err")
if [ -z "$dropped" ] || [ "$dropped" -lt 1 ] || [ "$dropped" -gt "$deltas" ]; then
	fail "dropped: expected 1 to $deltas, found '$dropped'"
fi
assert_eq "published + dropped" "$N" $(( ${published:-0} + dropped ))
assert_eq "malformed" 0 "$(counter malformed "$T/err")"
calls=$(rcli info commandstats | sed -n 's/^cmdstat_append:.*rejected_calls=\([0-9]*\).*/\1/p' | tr -d '\r')
note "$deltas deltas dropped in ${calls:-?} refused APPEND calls, the rest published"
