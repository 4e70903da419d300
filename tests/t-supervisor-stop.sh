#!/bin/sh
# t-supervisor-stop: `tickpipe stop` leaves no process of the pipeline
# (supervisor, redis-server, collector, shmreader, redispub, wsgate), no
# lock file, no pid file; a second stop is harmless; the state shows every
# stage stopped; and `start` works again afterwards.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
pids="$(sup_pid) $(awk '{ print $1 }' "$STATE"/run/*.pids)"
tp stop >"$T/out" 2>&1 || { cat "$T/out"; fail "stop exited $?"; }
for p in $pids; do
	running "$p" && fail "process $p still runs after stop: $(ps -o args= -p "$p")"
done
no_procs_left
[ -z "$(find "$STATE" -name 'supervisor.pid*')" ] || fail "lock (pid file) left behind"
for s in redis collector pipeline; do
	assert_eq "$s state" stopped "$(stage_state "$s")"
done
tp stop >"$T/out" 2>&1 || fail "second stop exited $?"
tp start >"$T/out" 2>&1 || { cat "$T/out"; fail "start after stop exited $?"; }
assert_all_up "not up after stop and start"
tp stop >/dev/null 2>&1 || fail "final stop exited $?"
no_procs_left
note "stop left none of $(echo "$pids" | wc -w) processes"
