#!/bin/sh
# t-supervisor-run-dir-full-data-fifo: the pipeline stage, restarted
# while STATE_DIR/run is out of inodes and its data fifo run/pipeline.data
# is gone (removed, its inode taken by another file: here a tmpfs on run/
# whose inode limit is lowered, in the restart's backoff, to what it
# holds, in a private mount namespace), is not started, as it cannot be:
# it is tried again with backoff, its log saying why once however often
# it tries, nothing on the supervisor's standard error but its own lines;
# once an inode is free, the log says so and the pipeline is up and
# publishing again (tickpipe(8)).  Before, it was started without its
# fifo and restarted for ever as "redispub exited 2", the shell's and
# mkfifo's errors on the supervisor's standard error alone.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf BACKOFF_MIN_MS=2000 BACKOFF_MAX_MS=2000 READY_TIMEOUT=3
run_tmpfs 1m
L=$STATE/log/supervisor/current

tp_run_up
s=$(victim pipeline shmreader)
[ -n "$s" ] || fail "no shmreader in run/pipeline.pids"
rm "$STATE/run/pipeline.data" || fail "cannot remove run/pipeline.data"
kill -TERM "$s"
# its processes gone (the fifo's inode free), in the backoff: run/ limited
# to the inodes it holds, any left taken
wait_for 30 grep -q 'tickpipe: pipeline: .*restarting in' "$L" ||
    fail "pipeline not restarted: $(tail -n 3 "$L")"
run_inodes_taken

# tried again with backoff, not started, the cause said once
wait_for 30 sh -c "[ \$(grep -c 'tickpipe: pipeline: .*restarting in' '$L') -ge 4 ]" ||
    fail "pipeline not tried again: $(grep 'pipeline:' "$L" | tail -n 3)"
assert_eq "lines saying why in $(grep -c 'tickpipe: pipeline: .*restarting in' "$L") restarts" 1 \
    "$(grep -c 'pipeline: cannot start: .*/run/pipeline.data, the fifo from its shmreader to its redispub, cannot be made (No space left on device)' "$L")"
grep -q 'tickpipe: pipeline: not started: 73 (cannot create): restarting' "$L" ||
    fail "no try said as not started: $(grep 'pipeline:' "$L" | tail -n 3)"

# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"

# inodes free again: the fifo is made, the log says so, the pipeline publishes
mount -o remount,nr_inodes=1000 "$STATE/run" ||
    fail "cannot give $STATE/run its inodes back"
wait_for 30 grep -q "pipeline: .*/run/pipeline.data made again: the stage starts" "$L" ||
    fail "the end of the trouble not said: $(grep 'pipeline:' "$L" | tail -n 3)"
wait_for 30 all_up || assert_all_up "not every stage up again"
wait_for 30 data_flows || fail "no pipeline messages through the fifo made again"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
