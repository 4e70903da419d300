#!/bin/sh
# t-supervisor-run-dir-read-only-redis-conf-left: the private Redis's
# configuration fifo, run/redis.conf, that cannot be removed once its
# configuration is written, STATE_DIR/run made read-only during the
# Redis's start (a tmpfs on it, in a private mount namespace), is left
# there and named once in the supervisor's log with the cause however
# often the Redis is tried again, nothing on the supervisor's standard
# error but its own lines; once run/ is writable again, the Redis is up
# and the fifo made anew and removed (tickpipe(8)).  Before, it was named
# nowhere (rm's error went to /dev/null).
# The moment: the supervisor writes the configuration, then removes the
# fifo, as soon as redis-server (or a stand-in for it) has opened it; the
# write does not wait for it to be read (a pipe's buffer; a password long
# enough to fill one is refused by Redis's AUTH), so no stand-in can
# remount run/ before that remove but by luck.  The test holds the start
# before the fifo is opened instead: spawn gives a stage its
# run/STAGE.ready on fd 3 if that is a fifo, opened for writing, which
# waits for a reader; the test makes one for redis, remounts run/
# read-only once redis.conf is made, then opens it.  The redis-server so
# started cannot make its socket in run/ and exits, as each try after it.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf BACKOFF_MAX_MS=1000
run_tmpfs 1m
L=$STATE/log/supervisor/current
GATE=$STATE/run/redis.ready
redis_up() { [ "$(grep -c 'tickpipe: redis: up (pid' "$L")" -ge "$1" ]; }
conf_made() { [ -p "$STATE/run/redis.conf" ]; }
left_said() {
	grep -c "redis: .*/run/redis.conf: cannot remove it (Read-only file system): left there" "$L"
}

tp_run_up
r=$(victim redis redis-server)
[ -n "$r" ] || fail "no redis-server in run/redis.pids"
mkfifo "$GATE" || fail "cannot make $GATE"
kill -TERM "$r"
wait_for 30 conf_made ||
    fail "run/redis.conf not made again: $(grep 'redis:' "$L" | tail -n 3)"
mount -o remount,bind,ro "$STATE/run" || fail "cannot remount $STATE/run read-only"
# a reader, read and write so as not to wait itself: the start goes on
exec 4<>"$GATE"
tries() { grep -c 'tickpipe: redis: .*restarting in' "$L"; }
tried_again() { [ "$(tries)" -ge 4 ]; }
wait_for 30 tried_again ||
    fail "redis not tried again: $(grep 'redis:' "$L" | tail -n 3)"
[ -p "$STATE/run/redis.conf" ] || fail "no run/redis.conf left in run/"
assert_eq "lines saying run/redis.conf is left in $(tries) tries" 1 "$(left_said)"

# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"

mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
rm -f "$GATE"
exec 4>&-
# writable again: the Redis starts, its fifo made anew and removed
wait_for 30 redis_up 2 ||
    fail "redis not up again: $(grep 'redis:' "$L" | tail -n 3)"
[ -e "$STATE/run/redis.conf" ] && fail "run/redis.conf not removed once run/ is writable"
assert_eq "lines saying run/redis.conf is left, once up again" 1 "$(left_said)"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
