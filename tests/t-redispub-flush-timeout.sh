#!/bin/sh
# t-redispub-flush-timeout: --flush-timeout is 1 to 86400 s (redispub(1)):
# 0 is a usage error (64), where it dropped a whole pipe read before the
# first connection was made, saying Redis was not reachable.  With Redis
# reachable but not answering (paused), the lines held at the end of
# input are dropped once it is over, said as not acknowledged (not as
# Redis not reachable), counted, and the exit status is 69.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

echo '{"type":"gap","from":1,"lost":1}' |
    "$RP" -u "redis://127.0.0.1:$(free_port)" --connect-timeout 0 \
    --flush-timeout 0 2>"$T/zero.err"
rc=$?
[ "$rc" = 64 ] || fail "--flush-timeout 0: exit $rc, expected 64: $(cat "$T/zero.err")"
grep -q -e '--flush-timeout' "$T/zero.err" ||
    fail "--flush-timeout 0: not said: $(cat "$T/zero.err")"

start_redis
"$GEN" --count 10 --symbols 1 >"$T/in"
mkfifo "$T/fifo"
"$RP" -v -u "$REDIS_URL" --flush-timeout 1 <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
wait_for 10 grep -q ': connected' "$T/err" ||
    fail "redispub did not connect: $(cat "$T/err")"
rcli client pause 2000 all >/dev/null
cat "$T/in" >&3
exec 3>&-
wait_pid 10 $rp "redispub, at the end of input with Redis paused,"
rc=$?
assert_eq "exit status, lines not acknowledged" 69 "$rc"
grep -q 'not all acknowledged within --flush-timeout; dropping 10 undelivered messages$' "$T/err" ||
    fail "the lines dropped not said as not acknowledged: $(cat "$T/err")"
assert_eq "dropped" 10 "$(counter dropped "$T/err")"
