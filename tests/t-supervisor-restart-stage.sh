#!/bin/sh
# t-supervisor-restart-stage: `tickpipe restart STAGE` makes the running
# supervisor stop and start that stage alone (new pid, other stages
# untouched, data flowing again); an unknown stage, or one the config
# turns off, is a usage error (64).
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
