#!/bin/sh
# t-supervisor-lock: one supervisor per state directory: while one runs,
# a second `tickpipe run` exits 75 naming the running one and disturbs
# nothing, and `start` says it is already running and exits 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
sp=$(sup_pid)
before=$(cat "$STATE"/run/*.pids)
tp run >"$T/run2" 2>&1
assert_eq "exit status of a second run" 75 "$?"
grep -q "already runs on $STATE (pid $sp)" "$T/run2" || fail "message: $(cat "$T/run2")"
tp start >"$T/start2" 2>&1 || fail "second start exited $?"
grep -q "already running (pid $sp)" "$T/start2" || fail "message: $(cat "$T/start2")"
assert_eq "supervisor" "$sp" "$(sup_pid)"
assert_eq "stage processes" "$before" "$(cat "$STATE"/run/*.pids)"
assert_all_up "stages disturbed by the second supervisor"
