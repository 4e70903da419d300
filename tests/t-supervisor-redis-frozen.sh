#!/bin/sh
# t-supervisor-redis-frozen: a Redis that accepts connections and never
# answers (its redis-server stopped, SIGSTOP) holds neither status nor the
# supervisor: status says Redis did not answer and returns, and a
# pipeline started meanwhile starts at the ring's latest record, the
# supervisor's log saying why.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# the stopped Redis continued before anything stops it (sv_cleanup)
thaw() { kill -CONT "$REDIS_PID" 2>/dev/null; sv_cleanup; }
trap thaw EXIT

start_redis
write_conf "REDIS_URL=$REDIS_URL" "PREFIX=frz"
tp_start
kill -STOP "$REDIS_PID"

# status, bounded here: 5 s for each redis-cli, at most three of them
tp status >"$T/status" 2>&1 &
st=$!
track "$st"
wait_for 30 exited "$st" || fail "status still runs after 30 s against a stopped Redis"
grep -q "^redis $REDIS_URL: Redis did not answer in 5 s" "$T/status" ||
    fail "status does not say that Redis did not answer: $(cat "$T/status")"

# a pipeline (re)started now: its resume point cannot be read
n=$(pipeline_starts)
kill -KILL "$(victim pipeline redispub)"
wait_for 40 sh -c "[ \"\$(grep -c -- '$PIPE_NOTE' '$STATE/log/pipeline/current')\" -gt $n ]" ||
    fail "the pipeline was not started again within 40 s: $(tail -n 5 "$STATE/log/supervisor/current")"
grep -q "tickpipe: pipeline (ring $RING): Redis did not answer in 5 s (get frz.tickpipe.stats): its resume point unknown" \
    "$STATE/log/supervisor/current" ||
    fail "the supervisor's log does not say why: $(tail -n 5 "$STATE/log/supervisor/current")"
