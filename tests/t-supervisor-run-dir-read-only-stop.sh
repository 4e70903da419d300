#!/bin/sh
# t-supervisor-run-dir-read-only-stop: a supervisor stopped while
# STATE_DIR/run is read-only (a tmpfs on it remounted so while it runs, in
# a private mount namespace) stops, and so does `tickpipe stop`, with
# nothing on their standard error but their own lines: what they cannot
# remove there (the stages' pid files, the fifos) is said once in the
# supervisor's log, with the cause, and once by `stop` (tickpipe(8)).
# Before, rm's errors went to the supervisor's standard error, one for
# each file, and to that of `stop`, which read the pid files left.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf READY_TIMEOUT=3
run_tmpfs 1m
L=$STATE/log/supervisor/current
left_said() { grep -c "cannot remove .*(Read-only file system)" "$1"; }

tp_run_up
mount -o remount,bind,ro "$STATE/run" || fail "cannot remount $STATE/run read-only"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
wait_for 30 grep -q "supervisor .* stopped" "$L" ||
    fail "the supervisor's stop not logged: $(tail -n 3 "$L")"

# its standard error and stop's: their own lines (and the hints of
# where_to_look) alone
grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"
grep -v -e '^tickpipe: ' "$T/stop" >"$T/other" &&
    fail "on stop's standard error: $(head -n 3 "$T/other")"
# what is left said once by each
assert_eq "the supervisor's log lines saying what is left" 1 "$(left_said "$L")"
assert_eq "stop's lines saying what is left" 1 "$(left_said "$T/stop")"
mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
no_procs_left
