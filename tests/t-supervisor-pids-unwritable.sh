#!/bin/sh
# t-supervisor-pids-unwritable: a stage's pid file that cannot be
# written (here a directory where its temporary file goes; a full disk
# or a read-only state directory as well) is logged and the old file
# kept; the supervisor goes on.  Before, the redirection error of ':'
# (a special builtin) ended the supervisor's shell at once: no word in
# its log, every stage left running, the restarted collector named in no
# pid file.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
sp=$(sup_pid)
mkdir "$STATE/run/collector.pids.tmp"
c=$(victim collector collector)
kill -TERM "$c"
wait_for 20 grep -q 'collector.pids: cannot write it' \
    "$STATE/log/supervisor/current" ||
    fail "not logged: $(tail -n 5 "$STATE/log/supervisor/current")"
sleep 1
kill -0 "$sp" 2>/dev/null || fail "the supervisor died"
[ -s "$STATE/run/collector.pids" ] || fail "collector.pids emptied"
rmdir "$STATE/run/collector.pids.tmp"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
