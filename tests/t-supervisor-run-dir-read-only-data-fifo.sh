#!/bin/sh
# t-supervisor-run-dir-read-only-data-fifo: the pipeline stage, restarted
# while STATE_DIR/run is read-only (a tmpfs on it remounted so while the
# supervisor runs, in a private mount namespace), uses again the data fifo
# run/pipeline.data left there, which holds nothing once its processes
# are gone: it is up and publishing, nothing on the supervisor's standard
# error but its own lines (tickpipe(8)).  Before, rm's and mkfifo's errors
# went there at each start of the stage.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf READY_TIMEOUT=3
run_tmpfs 1m
L=$STATE/log/supervisor/current

tp_run_up
s=$(victim pipeline shmreader)
[ -n "$s" ] || fail "no shmreader in run/pipeline.pids"
mount -o remount,bind,ro "$STATE/run" || fail "cannot remount $STATE/run read-only"
kill -TERM "$s"
wait_for 30 sh -c "[ \$(grep -c 'pipeline: up (pid' '$L') -ge 2 ]" ||
    fail "pipeline not up again on a read-only run/: $(grep pipeline "$L" | tail -n 3)"
wait_for 30 data_flows || fail "no pipeline messages through the fifo used again"

# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"
mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
