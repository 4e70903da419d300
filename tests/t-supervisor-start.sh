#!/bin/sh
# t-supervisor-start: with only a state dir, ports and a ring configured,
# `tickpipe start` returns once every stage is up (status exits 0 with
# one "up" row per stage), leaves a supervisor running in the background,
# and the simulator's data reaches Redis: a subscriber to md.sim.* gets
# messages and redispub's stats key counts them.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
grep -q "redis-cli -s $STATE/run/redis.sock " "$T/out" ||
    fail "start did not say where to look: $(cat "$T/out")"
sp=$(sup_pid) || fail "no supervisor pid file"
kill -0 "$sp" || fail "supervisor $sp not running after start"
tp status >"$T/status" || { cat "$T/status"; fail "status exited $? after start"; }
stages="redis collector pipeline"
if wsgate_enabled; then stages="$stages wsgate"; fi
for s in $stages; do
	grep -Eq "^$s +up " "$T/status" || fail "stage $s not up: $(cat "$T/status")"
done
wait_for 15 data_flows || fail "no pipeline message reached a Redis subscriber"
counts_published() { svcli get md.tickpipe.stats | grep -q '"published":[1-9]'; }
wait_for 10 counts_published ||
    fail "md.tickpipe.stats does not count published messages"
wait_for 10 sh -c "tp_out=\$(sh '$TP_SCRIPT' -c '$CONF' status); echo \"\$tp_out\" | grep -q '^redis .*published [1-9]'" ||
    fail "status shows no Redis publish counters"
grep -q "^ring $RING: seq [1-9]" "$T/status" || fail "status shows no ring sequence: $(cat "$T/status")"
note "$(grep -Ec '^[a-z]+ +up ' "$T/status") stages up; $(tp status | tail -n 2 | tr '\n' ' ')"
