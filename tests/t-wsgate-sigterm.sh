#!/bin/sh
# Readiness (-d) comes once wsgate listens and Redis is connected; at
# SIGTERM every client gets close 1001 and wsgate exits 0.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
wsc_bg wait-close --url "$WS_URL" --expect 1001 --ready "$T/c1" >"$T/c1.out" 2>&1 &
c1=$!
wsc_bg wait-close --url "$WS_URL" --expect 1001 --ready "$T/c2" >"$T/c2.out" 2>&1 &
c2=$!
track $c1
track $c2
wait_for 20 test -e "$T/c1" -a -e "$T/c2" || fail "clients not connected"
kill -TERM "$WS_PID"
wait "$WS_PID"
rc=$?
assert_eq "wsgate exit status after SIGTERM" 0 "$rc"
wait "$c1" || fail "client 1: $(cat "$T/c1.out")"
wait "$c2" || fail "client 2: $(cat "$T/c2.out")"
grep -q 'SIGTERM' "$T/wsgate.log" || fail "no SIGTERM log line"
grep -q "Sanitizer\\|runtime error" "$T/wsgate.log" && fail "sanitizer report: $(cat "$T/wsgate.log")"

test_not_ready_without_redis() {
	rm -f "$T/ready"
	port=$(free_port)
	"$BIN/wsgate" -d 3 -l "127.0.0.1:$(free_port)" \
	    -u "redis://127.0.0.1:$port" 3>"$T/ready" 2>/dev/null &
	pid=$!
	track $pid
	sleep 1
	[ -s "$T/ready" ] && fail "ready without redis"
	kill -TERM $pid
	wait $pid
	assert_eq "exit status" 0 $?
}
test_not_ready_without_redis
