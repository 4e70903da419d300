#!/bin/sh
# t-supervisor-restart-stage: `tickpipe restart STAGE` makes the running
# supervisor stop and start that stage alone (new pid, other stages
# untouched, data flowing again); an unknown stage, or one the config
# turns off, is a usage error (64); a stage blocked by one that failed
# is not started by a restart.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp restart nosuch >"$T/out" 2>&1
assert_eq "exit status for an unknown stage" 64 "$?"
cp "$CONF" "$CONF.off"
echo DERIVER=no >>"$CONF.off"
sh "$TP_SCRIPT" -c "$CONF.off" restart deriver >"$T/out" 2>&1
assert_eq "exit status for a stage turned off" 64 "$?"
grep -q "deriver: turned off by the configuration" "$T/out" ||
    fail "message: $(cat "$T/out")"
tp_start
old=$(stage_pids collector)
redis=$(stage_pids redis)
pipe=$(stage_pids pipeline)
tp restart collector >"$T/out" 2>&1 || fail "restart collector exited $?"
wait_for 10 stage_renewed collector "$old" || fail "collector not restarted"
assert_eq "redis pids" "$redis" "$(stage_pids redis)"
assert_eq "pipeline pids" "$pipe" "$(stage_pids pipeline)"
grep -q "collector: restart requested" "$STATE/log/supervisor/current" ||
    fail "supervisor log does not show the request"
wait_for 15 data_flows || fail "no data after restarting the collector"
tp stop >/dev/null 2>&1 || fail "stop exited $?"

# a stage blocked by one that failed is not started by a restart: it
# stays blocked, and the supervisor goes on (it was started, and the
# supervisor sat in its READY_TIMEOUT, then blocked it again)
write_conf "COLLECTOR_ARGS=--no-such-option" "READY_TIMEOUT=20"
tp start >"$T/out" 2>&1 && fail "start with a failing collector exited 0"
wait_for 20 sh -c "grep -q '^blocked ' '$STATE/run/deriver.state'" ||
    fail "deriver not blocked: $(cat "$STATE/run/deriver.state")"
n=$(grep -c "starting deriver" "$STATE/log/deriver/current")
tp restart deriver >"$T/out" 2>&1 || fail "restart deriver exited $?"
wait_for 10 grep -q "deriver: restart requested" "$STATE/log/supervisor/current" ||
    fail "the request was not seen"
sleep 1
assert_eq "deriver starts after its restart, blocked by the collector" "$n" \
    "$(grep -c "starting deriver" "$STATE/log/deriver/current")"
tp status >"$T/status" 2>&1
grep -Eq "^deriver +blocked " "$T/status" ||
    fail "deriver after the restart: $(grep '^deriver' "$T/status")"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
no_procs_left
