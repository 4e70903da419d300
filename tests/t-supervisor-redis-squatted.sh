#!/bin/sh
# t-supervisor-redis-squatted: the private Redis dies while the pipeline
# runs, and another process takes its port before the supervisor starts
# it again (ours then cannot bind): the stages that talk to the private
# Redis (redispub, wsgate) reach it by its socket in STATE/run, which no
# other user can take (tickpipe(1), Redis), so they never send the
# password to what listens on the port.  They did: they connected to
# 127.0.0.1:REDIS_PORT again and authenticated to whatever answered.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
wait_for 15 data_flows || fail "no pipeline message reached a Redis subscriber"
pw=$(cat "$SECRET")
rpid=$(victim redis redis-server)
[ -n "$rpid" ] || fail "no redis-server in $STATE/run/redis.pids"

# the squatter: binds the port as soon as it is free, answers +PONG to
# anything and logs what it is sent
/usr/bin/python3 "$TESTS/supervisor/squat.py" "$REDIS_PORT" "$T/squat.log" \
    "$T/squat.ready" &
sq=$!
track $sq
wait_for 10 test -e "$T/squat.ready" || fail "the squatter did not start"
kill -KILL "$rpid"
wait_for 10 test -e "$T/squat.ready.bound" || fail "the squatter did not take the port"
sleep 5		# the stages' reconnections, the supervisor's restarts
: >>"$T/squat.log"
! grep -qF "$pw" "$T/squat.log" ||
    fail "the password was sent to another server on the port: $(head -c 300 "$T/squat.log" | tr '\r\n' '  ')"
note "the squatter was sent $(wc -c <"$T/squat.log") bytes, none the password"
kill "$sq"
wait "$sq" 2>/dev/null
tp stop >/dev/null 2>&1
exit 0
