#!/bin/sh
# t-supervisor-start-sigint: a SIGINT to the process group that ran
# `tickpipe start` (a terminal's Ctrl-C, a script's job killed) does not
# reach the supervisor nor its stages: the supervisor runs in a session
# of its own (tickpipe(8)).  Before, every stage got it, exited and was
# restarted, the private Redis with its keys lost.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# the caller: a process group of its own, as a terminal's job
setsid sh -c "sh '$TP_SCRIPT' -c '$CONF' start >'$T/out' 2>&1; sleep 30" &
caller=$!
track $caller
wait_for 60 grep -q 'all stages up' "$STATE/log/supervisor/current" ||
    fail "start: $(cat "$T/out")"
kill -INT "-$caller"
sleep 2
tp status >"$T/status" 2>&1
grep -q 'exited' "$STATE/log/supervisor/current" &&
    fail "stages exited: $(grep exited "$STATE/log/supervisor/current")"
awk '$1 ~ /^(redis|collector|deriver|recorder|pipeline|derived|wsgate)$/ &&
    $2 !~ /:/ && $5 != 0 { bad = 1 } END { exit bad }' "$T/status" ||
    fail "restarts: $(cat "$T/status")"
exit 0
