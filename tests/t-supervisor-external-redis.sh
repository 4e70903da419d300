#!/bin/sh
# t-supervisor-external-redis: with REDIS_URL configured, no private
# redis-server is started (stage "external"); the pipeline publishes into
# the configured Redis, and stop leaves that Redis running.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

start_redis			# sets REDIS_PORT, REDIS_URL: ours, not tickpipe's
write_conf "REDIS_URL=$REDIS_URL" "PREFIX=ext"
tp_start
assert_eq "redis stage" external "$(stage_state redis)"
[ ! -e "$STATE/run/redis.pids" ] || [ ! -s "$STATE/run/redis.pids" ] ||
    fail "a redis-server was started: $(cat "$STATE/run/redis.pids")"
assert_all_up "not all up with an external Redis"
wait_for 15 sh -c "redis-cli -p $REDIS_PORT smembers ext.channels | grep -q '^ext\.sim\.'" ||
    fail "nothing published under prefix ext into $REDIS_URL"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
rcli ping >/dev/null || fail "stop took the external Redis down"
