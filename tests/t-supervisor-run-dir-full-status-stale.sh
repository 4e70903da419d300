#!/bin/sh
# t-supervisor-run-dir-full-status-stale: while STATE_DIR/run is full (a
# tmpfs on it, filled while the supervisor runs, in a private mount
# namespace), a restarted stage's state file cannot be written, and
# `status` says in its row that it may be stale (the supervisor records
# it in STATE_DIR/supervisor.state); once there is room again, the row is
# right and not so marked (tickpipe(8)).  Before, status showed the old
# row as if it were the stage's present state.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf READY_TIMEOUT=5
run_tmpfs 1m
L=$STATE/log/supervisor/current
STALE_NOTE='may be stale: the supervisor cannot write run/collector.state'
collector_pid() { pgrep -f -- "collector .*--ring $RING( |\$)" | head -n 1; }
# row_fresh: the collector's row names its running collector, unmarked
row_fresh() {
	tp status >"$T/status" 2>&1
	_c=$(collector_pid)
	[ -n "$_c" ] && awk -v c="$_c" '$1 == "collector" && $3 == c' "$T/status" |
	    grep -q . && ! grep -q "$STALE_NOTE" "$T/status"
}

tp_run_up
dd if=/dev/zero of="$STATE/run/fill" bs=4k 2>/dev/null
[ -f "$STATE/run/fill" ] || fail "could not fill $STATE/run"
c=$(collector_pid)
[ -n "$c" ] || fail "no collector"
kill -TERM "$c"
wait_for 30 sh -c "[ \$(grep -c 'collector: up (pid' '$L') -ge 2 ]" ||
    fail "collector not up again: $(tail -n 4 "$L")"
tp status >"$T/status" 2>&1
grep "^collector " "$T/status" | grep -q "$STALE_NOTE" ||
    fail "the collector's row not said stale: $(grep '^collector ' "$T/status")"

# room again: within the 5 s of the retries, the row is right, unmarked
rm "$STATE/run/fill" || fail "cannot remove $STATE/run/fill"
wait_for 20 row_fresh ||
    fail "the collector's row not right again: $(grep '^collector ' "$T/status")"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
