#!/bin/sh
# t-supervisor-run-dir-read-only-redis: the private redis-server, gone
# while STATE_DIR/run is read-only (a tmpfs on it remounted so while the
# supervisor runs, in a private mount namespace), cannot start again:
# the fifo its configuration goes through and its socket are made there.
# The supervisor tries it again with backoff, its log saying why once
# however often it tries, nothing on its standard error but its own
# lines; once run/ is writable again, the log says so and the Redis and
# the pipeline are up again (tickpipe(8)).  Before, the log said only
# "redis: exited 2" at each try, and mkfifo's, the shell's and rm's
# errors went to the supervisor's standard error.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf BACKOFF_MAX_MS=1000
run_tmpfs 1m
L=$STATE/log/supervisor/current

tp_run_up
r=$(victim redis redis-server)
[ -n "$r" ] || fail "no redis-server in run/redis.pids"
mount -o remount,bind,ro "$STATE/run" || fail "cannot remount $STATE/run read-only"

# gone: tried again with backoff, up to its cap, the cause said once
kill -TERM "$r"
wait_for 30 grep -q 'tickpipe: redis: .*restarting in 1.000 s' "$L" ||
    fail "redis not tried again up to the backoff's cap: $(grep 'redis:' "$L" | tail -n 3)"
assert_eq "lines saying why in $(grep -c 'tickpipe: redis: .*restarting in' "$L") restarts" 1 \
    "$(grep -c 'redis: cannot start: .*/run/redis.conf, the fifo its configuration goes through, cannot be made (Read-only file system), and its socket .*/run/redis.sock is made in .* too' "$L")"

# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"

# writable again: the Redis starts, the log says so, the pipeline publishes
mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
wait_for 30 sh -c "[ \$(grep -c 'tickpipe: redis: up (pid' '$L') -ge 2 ]" ||
    fail "redis not up again: $(grep 'redis:' "$L" | tail -n 3)"
grep -q "redis: .*/run/redis.conf made again: the private Redis starts" "$L" ||
    fail "the end of the trouble not said: $(grep 'redis:' "$L" | tail -n 3)"
wait_for 30 all_up || assert_all_up "not every stage up again"
wait_for 30 data_flows || fail "no pipeline messages through the Redis started again"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
