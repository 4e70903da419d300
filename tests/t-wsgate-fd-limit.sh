#!/bin/sh
# At its file descriptor limit (ulimit -n 64) with 100 connections held
# open, wsgate neither spins on accept() nor floods its log: the
# connections past those it allows are closed at once (and counted; its
# connection limit comes before the descriptors run out, so the
# accept(2) failure itself is not reached here: t-wsgate-accept-emfile),
# its CPU stays low and its log a few lines; once the connections go it
# serves again.  Clients get at most the limit less the descriptors in
# use and a reserve, so that wsgate can reach Redis again when Redis
# comes back while they hold all they may.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
WS_NOFILE=64 start_wsgate
grep -q '^Max open files *64 ' "/proc/$WS_PID/limits" ||
    fail "wsgate not at 64 fds: $(grep 'open files' "/proc/$WS_PID/limits")"

hold_cpu 100 hold
cpu=$HOLD_CPU
logged=$(( $(wc -c <"$T/wsgate.log") - HOLD_LOG0 ))
closed=$(metric wsgate_fd_limit_closed_total)
note "at the fd limit: CPU ${cpu}%, log +${logged} bytes, $(cat "$T/hold.out") of 100 connections closed by wsgate, $closed counted"
[ "$cpu" -le 10 ] || fail "wsgate used ${cpu}% CPU at its fd limit"
[ "$logged" -le 2048 ] || fail "wsgate logged $logged bytes at its fd limit: $(tail -n 3 "$T/wsgate.log")"
[ "$(cat "$T/hold.out")" -gt 0 ] ||
    fail "no connection was closed at the limit"
[ "${closed:-0}" -gt 0 ] || fail "connections closed at the limit not counted"
wait_for 10 healthz_ok ||
    fail "wsgate does not serve again after the connections went"
wsc status --url "$WS_URL" --expect 101 >"$T/st.out" 2>&1 ||
    fail "WebSocket after the limit: $(cat "$T/st.out")"

# Redis lost while clients hold every descriptor they may, and more
# clients come while it is away: the descriptors its connections freed
# are not theirs, and wsgate has Redis again once it is back (the new
# clients took them, and wsgate had no Redis until they left)
log1=$(wc -c <"$T/wsgate.log")
hold 100 8 hold2
first=$HOLD_PID
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
hold 5 6 late
redis_serve
redis_back() {
	tail -c +"$((log1 + 1))" "$T/wsgate.log" |
	    grep -q "redis subscriber: connected"
}
wait_for 5 redis_back ||
    fail "no Redis while clients hold the descriptors: $(tail -c +"$((log1 + 1))" "$T/wsgate.log" | tail -n 5)"
wait "$first" "$HOLD_PID"
stop_wsgate
