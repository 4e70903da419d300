#!/bin/sh
# t-redispub-lease-first-answer: with --lease, nothing is read before
# Redis has answered the first SET NX (redispub(1) --lease).  A pipe
# that is all there before the connection, the key free: every line is
# published, none dropped as read before the lease was taken (it read
# the pipe to its end and exited 0 having published nothing, said
# nowhere).  The key another's: the lines are read and dropped, as a
# standby must, and said: "standing by" in the log, and standby=N in the
# exiting line.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
"$GEN" --count 100 --symbols 2 >"$T/in"

"$RP" -u "$REDIS_URL" --lease md.lease --lease-ms 1000 <"$T/in" 2>"$T/lead.err"
rc=$?
[ "$rc" = 0 ] || fail "key free: exit $rc: $(cat "$T/lead.err")"
grep -q 'lease md.lease taken' "$T/lead.err" ||
    fail "key free: lease not taken: $(cat "$T/lead.err")"
[ "$(counter published "$T/lead.err")" = 100 ] ||
    fail "key free: published $(counter published "$T/lead.err") of 100 lines: $(grep exiting: "$T/lead.err")"
assert_eq "key free: lines" 100 "$(counter lines "$T/lead.err")"

rcli set md.lease another PX 60000 >/dev/null
"$RP" -u "$REDIS_URL" --lease md.lease --lease-ms 1000 <"$T/in" 2>"$T/standby.err"
rc=$?
[ "$rc" = 0 ] || fail "key another's: exit $rc: $(cat "$T/standby.err")"
grep -q "lease md.lease is another's: standing by" "$T/standby.err" ||
    fail "key another's: standing by not said: $(cat "$T/standby.err")"
[ "$(counter standby "$T/standby.err")" = 100 ] ||
    fail "key another's: the 100 lines dropped not said as standby: $(grep exiting: "$T/standby.err")"
assert_eq "key another's: published" 0 "$(counter published "$T/standby.err")"
assert_eq "the lease still another's" another "$(rcli get md.lease)"
