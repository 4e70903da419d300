#!/bin/sh
# t-supervisor-repair: SIGKILL of each stage's process in turn (redis-server,
# collector, shmreader, redispub, wsgate) is repaired: the stage is up
# again with a new pid within REPAIR_MS (5 s: the first restart waits
# BACKOFF_MIN_MS, 0.1 s, and takes well under 1 s on an idle machine, so
# this is generous for a loaded one; the measured time is printed),
# status counts the restart and shows the SIGKILL, and data reaches Redis
# subscribers again.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

REPAIR_MS=5000

tp_start
wait_for 15 data_flows || fail "no data before the first kill"

# kill_and_repair STAGE NAME: kill -9 the process NAME of STAGE
kill_and_repair() {
	old=$(stage_pids "$1")
	victim=$(victim "$1" "$2")
	[ -n "$victim" ] || fail "$1: no $2 in $STATE/run/$1.pids"
	t0=$(ms)
	kill -KILL "$victim"
	if ! wait_for 10 stage_renewed "$1" "$old"; then
		tp status
		tail -n 20 "$STATE/log/supervisor/current" "$STATE/log/$1/current"
		fail "$1: not repaired 10 s after SIGKILL of $2 (state $(stage_state "$1"))"
	fi
	took=$(($(ms) - t0))
	kill -0 "$victim" 2>/dev/null && fail "$1: killed $2 $victim still there"
	tp status >"$T/status" 2>&1
	grep -Eq "^$1 +up .* 137 \(SIGKILL\)" "$T/status" ||
	    fail "$1: status does not show the SIGKILL: $(grep -E "^($1 |supervisor:)" "$T/status" | tr '\n' ' ')(supervisor.pid: $(cat "$STATE/supervisor.pid"); now $(date +%s); ps: $(ps -p "$(sup_pid)" -o etime=,args=))"
	wait_for 15 data_flows || fail "$1: no data after repairing $2"
	[ "$took" -le "$REPAIR_MS" ] ||
	    fail "$1: repaired $took ms after SIGKILL of $2 (limit $REPAIR_MS ms)"
	note "$1: $2 SIGKILLed, repaired in $took ms, data flows"
}

kill_and_repair redis redis-server
kill_and_repair collector collector
kill_and_repair pipeline shmreader
kill_and_repair pipeline redispub
if wsgate_enabled; then
	kill_and_repair wsgate wsgate
	/usr/bin/python3 -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:$WS_PORT/healthz', timeout=5).status != 200)" ||
	    fail "wsgate: /healthz does not answer after the repair"
fi
grep -Eq "^pipeline +up +[0-9]+,[0-9]+ +[^ ]+ +2 " "$T/status" ||
    fail "pipeline: restarts not counted: $(grep '^pipeline ' "$T/status")"
