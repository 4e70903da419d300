#!/bin/sh
# t-supervisor-state-unwritable: a stage's state file that cannot be
# written while the supervisor runs (here a directory where its
# temporary file goes; a full disk or a read-only state directory as
# well) is logged once for its cause, however many times it is tried;
# the file keeps what it held; and once it can be written again it is,
# within the 5 s tick, with no other event, and the log says so.
# Before, nothing was logged (the shell's error went to start.out) and
# `status` showed the old row until the stage's next change.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
sp=$(sup_pid)
L=$STATE/log/supervisor/current
mkdir "$STATE/run/collector.state.tmp"
old=$(victim collector collector)
kill -TERM "$old"
wait_for 20 grep -q "collector: up (pid" "$L" || fail "collector not restarted"
# a second restart: more writes, no more lines
c=$(victim collector collector)
kill -TERM "$c"
wait_for 20 sh -c "[ \$(grep -c 'collector: up (pid' '$L') -ge 2 ]" ||
    fail "collector not restarted twice"
wait_for 5 grep -q 'collector.state: cannot write it (Is a directory)' "$L" ||
    fail "not logged: $(tail -n 5 "$L")"
assert_eq "lines saying it" 1 \
    "$(grep -c 'collector.state: cannot write it' "$L")"
assert_eq "the state file kept its old pid" "$old" "$(stage_pids collector)"
kill -0 "$sp" 2>/dev/null || fail "the supervisor died"
new=$(victim collector collector)

rmdir "$STATE/run/collector.state.tmp"
wait_for 8 sh -c "[ \"\$(cut -d' ' -f2 '$STATE/run/collector.state')\" = $new ]" ||
    fail "collector.state not written again: $(cat "$STATE/run/collector.state")"
wait_for 5 grep -q "state files written again" "$L" ||
    fail "not logged: $(tail -n 5 "$L")"
assert_all_up "after the state file was written again"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
