#!/bin/sh
# t-redispub-redis-pause: Redis stopped (SIGSTOP) for 3 s while redispub
# is fed a steady 20000 lines/s.  redispub buffers, then stops reading
# (back-pressure), and catches up after SIGCONT: a subscriber connected
# throughout receives every line, in order, none missing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=140000		# 7 s at 20000/s
# The subscriber's own output limit is Redis configuration, not what is
# tested here: the catch-up burst after SIGCONT must not cut it off.
start_redis --client-output-buffer-limit "pubsub 0 0 0"
"$SUB" -p -n "$N" -t 60 -P "$REDIS_PORT" 'md.sim.*' >"$T/got" 2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
gen_fifo --count "$N" --symbols 4 --rate 20000
"$RP" -u "$REDIS_URL" <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
sleep 2
kill -STOP "$REDIS_PID"
sleep 2.9
kill -USR1 "$rp"
sleep 0.1
kill -CONT "$REDIS_PID"
wait $sub || fail "subscriber failed: $(cat "$T/sub.err")"
wait_pid 30 $rp "redispub, at the end of its input,"
st=$?
cat "$T/err" >&2
assert_eq "redispub exit status" 0 "$st"
book expect md <"$T/in" | cut -f 2 >"$T/expect"
cmp -s "$T/expect" "$T/got" ||
    fail "subscriber got $(wc -l <"$T/got") lines, not exactly the $N fed in"
assert_eq "reconnects" 0 "$(counter reconnects "$T/err")"
# the pause did hold lines back in redispub's buffer
held=$(sed -n 's/.*counters: .* buffered=\([0-9]*\).*/\1/p' "$T/err")
[ "${held:-0}" -gt 10000 ] || fail "only '${held:-}' lines buffered during the pause"
note "$N lines, all delivered in order across a 3 s pause ($held held back)"
