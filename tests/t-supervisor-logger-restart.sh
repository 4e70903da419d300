#!/bin/sh
# t-supervisor-logger-restart: a stage's logger (s6-log) that dies is
# started again, and the supervisor goes on: it restarts a stage on
# request and that stage's lines reach its log (a supervisor that wrote
# to the fifo of a dead logger would block in the open forever).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
run=$STATE/run
# the collector's logger: the s6-log writing into log/collector
lg=$(logger_pid collector)
[ -n "$lg" ] || fail "no s6-log for the collector in $run/log.pids"
# lines in every file of the log (a killed s6-log's current becomes *.u)
starts() { cat "$STATE"/log/collector/* | grep -c "starting collector"; }
n=$(starts)
kill -KILL "$lg"
old=$(stage_pids collector)
tp restart collector >"$T/out" 2>&1 || fail "restart collector exited $?"
wait_for 10 stage_renewed collector "$old" ||
    fail "collector not restarted after its logger was killed"
wait_for 10 grep -q "logger of collector had exited" \
    "$STATE/log/supervisor/current" || fail "the restart is not logged"
more() { [ "$(starts)" -gt "$n" ]; }
wait_for 10 more ||
    fail "the collector's log has no line after its logger was killed"
tp stop >"$T/out" 2>&1 || fail "stop exited $?"
