#!/bin/sh
# t-supervisor-lock: one supervisor per state directory: while one runs,
# a second `tickpipe run` exits 75 naming the running one and disturbs
# nothing, and `start` says it is already running and exits 0.  The
# same with the lock removed by hand (supervisor.state names the running
# one too): `check` starts no second supervisor, `stop` stops this one,
# and it makes its lock again.
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

# the lock removed by hand: no command takes the supervisor for gone
rm -f "$STATE/supervisor.pid"
# (a run that took the lock would run on: the timeout ends it)
timeout 30 sh "$TP_SCRIPT" -c "$CONF" run >"$T/run3" 2>&1
assert_eq "exit status of a run without the lock file" 75 "$?"
grep -q "already runs on $STATE (pid $sp)" "$T/run3" || fail "message: $(cat "$T/run3")"
tp check >"$T/check" 2>&1 || fail "check exited $?: $(cat "$T/check")"
grep -q "starting it" "$T/check" && fail "check without the lock file started a supervisor"
tp status >"$T/status" 2>&1 || fail "status exited $?: $(cat "$T/status")"
grep -q "(pid $sp " "$T/status" || fail "status: $(head -n 3 "$T/status")"
assert_eq "stage processes" "$before" "$(cat "$STATE"/run/*.pids)"
# a stage's exit wakes the supervisor, which makes its lock again
kill -TERM "$(victim pipeline redispub)"
wait_for 30 test -e "$STATE/supervisor.pid" || fail "the lock was not made again"
assert_eq "supervisor" "$sp" "$(sup_pid)"
# (the lock is made before the line that says so reaches the log)
wait_for 10 grep -q "supervisor.pid had been removed: made again" \
    "$STATE/log/supervisor/current" ||
    fail "not logged: $(tail -n 5 "$STATE/log/supervisor/current")"
rm -f "$STATE/supervisor.pid"
tp stop >"$T/stop" 2>&1 || fail "stop exited $?: $(cat "$T/stop")"
wait_for 5 sh -c "! kill -0 $sp 2>/dev/null" || fail "stop did not stop supervisor $sp"
