#!/bin/sh
# t-supervisor-run-dir-read-only: a stage started while STATE_DIR/run
# cannot take its readiness fifo (here a tmpfs on it remounted read-only
# while the supervisor runs, in a private mount namespace; run/ out of
# inodes as well) is started without one and taken as ready once it has
# run READY_TIMEOUT, the cause logged once however often it is met; once
# the fifo can be made again, the log says so and readiness is the
# stage's again (tickpipe(8)).  Before, a killed stage was never seen
# ready and was restarted for ever as "not ready within N s", nothing
# saying why.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf READY_TIMEOUT=3
run_tmpfs 1m
L=$STATE/log/supervisor/current
collector_pid() { pgrep -f -- "collector .*--ring $RING( |\$)" | head -n 1; }

tp_run_up
mount -o remount,bind,ro "$STATE/run" || fail "cannot remount $STATE/run read-only"

# killed twice while run/ is read-only: up again each time, said once
for n in 2 3; do
	c=$(collector_pid)
	[ -n "$c" ] || fail "no collector"
	kill -TERM "$c"
	wait_for 30 sh -c "[ \$(grep -c 'collector: up (pid' '$L') -ge $n ]" ||
	    fail "collector not up again on a read-only run/: $(grep collector "$L" | tail -n 3)"
done
grep -q "not ready" "$L" && fail "a stage was not ready: $(grep "not ready" "$L")"
assert_eq "lines saying why" 1 \
    "$(grep -c 'collector.ready: cannot make the readiness fifo (Read-only file system)' "$L")"

# writable again: the next start has its fifo, and the log says so
mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
kill -TERM "$(collector_pid)"
wait_for 30 sh -c "[ \$(grep -c 'collector: up (pid' '$L') -ge 4 ]" ||
    fail "collector not up again: $(tail -n 4 "$L")"
grep -q "readiness fifos made again" "$L" ||
    fail "the end of the trouble not said: $(tail -n 4 "$L")"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
