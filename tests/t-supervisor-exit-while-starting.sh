#!/bin/sh
# t-supervisor-exit-while-starting: a stage that dies while another
# stage starts (the supervisor waiting up to READY_TIMEOUT for its
# readiness) is taken down at once: `status` shows it in backoff, not up
# with its dead pid, and the time the wait went on is not its uptime, so
# a collector that dies again soon after its restart backs off longer
# (0.200 s after 0.100 s).  Before, its death was seen only once the wait
# was over: it was up in `status` meanwhile, and a wait longer than
# BACKOFF_RESET reset its backoff.  The stage that starts is wsgate, a
# stand-in ready only once $T/go exists.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
wsgate_enabled || skip "wsgate not built"

# its arguments name WSGATE_LISTEN: procs_of_test finds it
printf '#!/bin/sh\nwhile [ ! -e "%s" ]; do sleep 0.1; done\necho >&3\nexec sleep 1000\n' \
    "$T/go" | stand_in wsgate
write_conf "BIN_DIR=$T/bin" READY_TIMEOUT=40 BACKOFF_RESET=10 \
    BACKOFF_MIN_MS=100
touch "$T/go"
tp_start

# a first death, the supervisor idle: the minimum backoff, 0.100 s
c=$(victim collector collector)
kill -TERM "$c"
wait_for 20 stage_renewed collector "$c" || fail "collector not restarted"
c=$(victim collector collector)

# wsgate restarted and not ready: the collector dies in the wait
rm -f "$T/go"
tp restart wsgate >"$T/restart" 2>&1 || fail "restart: $(cat "$T/restart")"
wait_for 10 sh -c "[ \"\$(cut -d' ' -f1 '$STATE/run/wsgate.state')\" = starting ]" ||
    fail "wsgate not starting: $(cat "$STATE/run/wsgate.state")"
kill -TERM "$c"
if ! wait_for 5 sh -c "! grep -q '^up ' '$STATE/run/collector.state'"; then
	tp status >"$T/status" 2>&1
	fail "collector (pid $c) killed 5 s ago, during wsgate's wait: $(grep '^collector' "$T/status")"
fi
tp status >"$T/status" 2>&1
grep -Eq "^collector +backoff " "$T/status" ||
    fail "collector in status: $(grep '^collector' "$T/status")"
grep 'collector: .*restarting in' "$STATE/log/supervisor/current" |
    sed 's/.*restarting in \([0-9.]*\) s.*/\1/' >"$T/waits"
assert_eq "the waits of the collector's restarts" "0.100 0.200" \
    "$(paste -sd ' ' "$T/waits")"
# wsgate ready: the collector is started again
touch "$T/go"
wait_for 20 stage_renewed collector "$c" || fail "collector not restarted after the wait"
assert_all_up "after wsgate's wait"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
no_procs_left
