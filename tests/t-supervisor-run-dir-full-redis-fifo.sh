#!/bin/sh
# t-supervisor-run-dir-full-redis-fifo: the private redis-server, gone
# while STATE_DIR/run is out of inodes (a tmpfs on run/ whose inode limit
# is lowered, in the restart's backoff, to what it holds, any left taken,
# in a private mount namespace), cannot start again: the fifo its
# configuration goes through, run/redis.conf, and its socket are made
# there.  The supervisor tries it again with backoff, each try "not
# started: 73 (cannot create)", its log saying why once however often it
# tries, nothing on its standard error but its own lines; once an inode
# is free, the log says so and the Redis and the pipeline are up again
# (tickpipe(8)).
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf BACKOFF_MIN_MS=4000 BACKOFF_MAX_MS=4000
run_tmpfs 1m
L=$STATE/log/supervisor/current
redis_tries() { grep -c 'tickpipe: redis: .*restarting in' "$L"; }

tp_run_up
r=$(victim redis redis-server)
[ -n "$r" ] || fail "no redis-server in run/redis.pids"
kill -TERM "$r"
# gone (its socket's inode free), in the backoff: run/ limited to the
# inodes it holds, any left taken
wait_for 30 grep -q 'tickpipe: redis: .*restarting in' "$L" ||
    fail "redis not restarted: $(grep 'redis:' "$L" | tail -n 3)"
run_inodes_taken

# tried again with backoff, not started, the cause said once
wait_for 30 sh -c "[ \$(grep -c 'tickpipe: redis: .*restarting in' '$L') -ge 3 ]" ||
    fail "redis not tried again: $(grep 'redis:' "$L" | tail -n 3)"
assert_eq "lines saying why in $(redis_tries) restarts" 1 \
    "$(grep -c 'redis: cannot start: .*/run/redis.conf, the fifo its configuration goes through, cannot be made (No space left on device), and its socket .*/run/redis.sock is made in .* too' "$L")"
grep -q 'tickpipe: redis: not started: 73 (cannot create): restarting' "$L" ||
    fail "no try said as not started: $(grep 'redis:' "$L" | tail -n 3)"
pgrep -f -- "redis-server 127.0.0.1:$REDIS_PORT" >/dev/null &&
    fail "a redis-server started without its configuration fifo"

# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"

# inodes free again: the fifo is made, the log says so, the Redis and
# the pipeline are up and publishing
mount -o remount,nr_inodes=1000 "$STATE/run" ||
    fail "cannot give $STATE/run its inodes back"
wait_for 30 grep -q "redis: .*/run/redis.conf made again: the private Redis starts" "$L" ||
    fail "the end of the trouble not said: $(grep 'redis:' "$L" | tail -n 3)"
wait_for 30 sh -c "[ \$(grep -c 'tickpipe: redis: up (pid' '$L') -ge 2 ]" ||
    fail "redis not up again: $(grep 'redis:' "$L" | tail -n 3)"
wait_for 30 all_up || assert_all_up "not every stage up again"
wait_for 30 data_flows || fail "no pipeline messages through the Redis started again"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
