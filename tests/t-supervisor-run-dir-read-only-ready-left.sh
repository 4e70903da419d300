#!/bin/sh
# t-supervisor-run-dir-read-only-ready-left: a stage whose readiness fifo
# cannot be removed once it is ready, STATE_DIR/run made read-only during
# its start (a tmpfs on it, in a private mount namespace, remounted so by
# a stand-in collector before it runs the real one and that says it is
# ready), is up, the fifo left there named once in the supervisor's log
# with the cause however often it is met (restarted again on the
# read-only run/, it uses the fifo left there), nothing on the
# supervisor's standard error but its own lines (tickpipe(8)).  Before,
# rm's error went to the supervisor's standard error at each start.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
# the collector, run by the real one's path (procs_of_test finds it by
# its --ring); the start after $T/ro is made remounts run/ read-only
printf '#!/bin/sh\nif [ -e "%s" ]; then\n\trm -f "%s"\n\tmount -o remount,bind,ro "%s" || exit 1\nfi\nexec "%s" "$@"\n' \
    "$T/ro" "$T/ro" "$STATE/run" "$BIN/collector" | stand_in collector
write_conf "BIN_DIR=$T/bin" READY_TIMEOUT=10
run_tmpfs 1m
L=$STATE/log/supervisor/current
collector_up() { [ "$(grep -c 'collector: up (pid' "$L")" -ge "$1" ]; }
left_said() { grep -c "collector.ready: cannot remove it (Read-only file system)" "$L"; }
# the supervisor's standard error: its own log lines and the hints of
# where_to_look, no error of the commands it runs
own_lines_alone() {
	grep -v -e '^tickpipe: ' -e '^  ' "$T/run.out" >"$T/other" &&
	    fail "on the supervisor's standard error: $(head -n 3 "$T/other")"
	return 0
}

tp_run_up
touch "$T/ro"
kill -TERM "$(victim collector collector)"
wait_for 30 collector_up 2 ||
    fail "collector not up again, run/ made read-only as it started: $(grep collector "$L" | tail -n 3)"
[ -e "$T/ro" ] && fail "run/ not made read-only by the collector's start"
[ -p "$STATE/run/collector.ready" ] || fail "no readiness fifo left in run/"
own_lines_alone
assert_eq "lines saying the fifo is left" 1 "$(left_said)"

# started again on the read-only run/: the fifo left there used, ready
# when the collector says so, not said again
kill -TERM "$(pgrep -f -- "collector .*--ring $RING( |\$)" | head -n 1)"
wait_for 30 collector_up 3 ||
    fail "collector not up again on a read-only run/: $(grep collector "$L" | tail -n 3)"
grep -q "not ready" "$L" && fail "a stage was not ready: $(grep "not ready" "$L")"
assert_eq "lines saying the fifo is left, after another start" 1 "$(left_said)"
own_lines_alone
mount -o remount,bind,rw "$STATE/run" || fail "cannot remount $STATE/run read-write"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
