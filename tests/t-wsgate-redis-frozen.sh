#!/bin/sh
# A Redis that freezes (SIGSTOP: its connections open, nothing answered)
# is lost after --redis-timeout: clients get redis_down, /healthz is 503
# and wsgate_redis_up 0 while it is frozen; once it runs again wsgate
# reconnects, clients get redis_up, and messages flow again.  The
# reconnections made meanwhile (the frozen Redis's kernel still accepts
# them) are not up, as Redis answers nothing: no redis_up while frozen.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

start_redis
start_wsgate --redis-timeout 2
sub_client md.z.X.trade
kill -STOP "$REDIS_PID"
wait_for 20 grep -q '"status":"redis_down"' "$T/c.out" || {
	kill -CONT "$REDIS_PID"
	fail "no redis_down from a frozen Redis: $(tail -n 5 "$T/wsgate.log")"
}
sleep 3
health=$(wsc http /healthz --url "$HTTP_URL" | head -n 1 | tr -d '\r')
up=$(metric wsgate_redis_up)
ups=$(grep -c '"status":"redis_up"' "$T/c.out")
kill -CONT "$REDIS_PID"
assert_eq "redis_up while frozen" 0 "$ups"
assert_eq "/healthz while frozen" "HTTP/1.1 503 Service Unavailable" "$health"
assert_eq "wsgate_redis_up while frozen" 0 "$up"
wait_for 20 grep -q '"status":"redis_up"' "$T/c.out" ||
    fail "no redis_up once Redis runs: $(tail -n 5 "$T/wsgate.log")"
rcli publish md.z.X.trade '{"type":"trade","seq":7}' >/dev/null
wait_for 10 grep -q '"seq":7' "$T/c.out" || fail "no message after redis_up"
assert_eq "/healthz after" 200 "$(wsc http /healthz --url "$HTTP_URL" >/dev/null && echo 200)"
stop_wsgate
