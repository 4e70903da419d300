#!/bin/sh
# t-supervisor-killed-while-starting: a supervisor SIGKILLed while a stage
# starts leaves nothing that `stop` does not stop: each process is in its
# run/STAGE.pids as soon as it is started (tickpipe(8) FILES), not once
# the stage is ready.  The stage is wsgate, here a stand-in that never
# says it is ready (the start waiting for it says so at once); and one
# SIGKILLed as its loggers start: the next
# start hung on their log locks.  Then a supervisor that is stopping
# (its wsgate SIGSTOPped, so the stop takes STOP_TIMEOUT): `status`
# exits 3, and `start` waits for the stop and starts a new one, where it
# said "already running" and exited 0 with nothing left running.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
wsgate_enabled || skip "wsgate not built"

# its arguments name WSGATE_LISTEN: procs_of_test finds it
printf '#!/bin/sh\nwhile :; do sleep 1; done\n' | stand_in wsgate

test_killed_while_a_stage_starts() {
	write_conf "BIN_DIR=$T/bin" "READY_TIMEOUT=60"
	sh "$TP_SCRIPT" -c "$CONF" start >"$T/start.out" 2>&1 &
	starter=$!
	track $starter
	wait_for 60 sh -c "[ \"\$(cat '$STATE/run/wsgate.state' 2>/dev/null |
	    cut -d' ' -f1)\" = starting ]" || fail "wsgate never starting"
	sleep 1				# its process runs
	sup=$(sup_pid)
	kill -KILL "$sup"
	# the start waiting for it sees it gone (it waited 5 READY_TIMEOUTs)
	wait_for 20 exited "$starter" ||
	    fail "start still waits for the supervisor it started, killed"
	wait "$starter"
	assert_eq "start's exit status, its supervisor killed" 1 "$?"
	grep -q "the supervisor did not come up" "$T/start.out" ||
	    fail "start: $(cat "$T/start.out")"
	tp stop >"$T/out" 2>&1 || { cat "$T/out"; fail "stop exited $?"; }
	no_procs_left
}

# killed as its loggers start (log.pids made as the first starts): the
# next start must not hang on their log locks, and stop leaves none of
# them
test_killed_while_loggers_start() {
	write_conf
	sh "$TP_SCRIPT" -c "$CONF" run >"$T/run.out" 2>&1 &
	sup=$!
	track $sup
	# log.pids is made as the first logger starts (add_proc), the rest
	# following in a few ms: look often
	t_end=$(($(date +%s) + 30))
	i=0
	until [ -e "$STATE/run/log.pids" ]; do
		i=$((i + 1))
		[ $((i % 1000)) != 0 ] || [ "$(date +%s)" -lt "$t_end" ] ||
		    fail "the loggers never started"
	done
	kill -KILL "$sup"
	wait "$sup" 2>/dev/null
	timeout 60 sh "$TP_SCRIPT" -c "$CONF" start >"$T/out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || { cat "$T/out"; fail "start after the kill exited $rc"; }
	tp stop >"$T/out" 2>&1 || { cat "$T/out"; fail "stop exited $?"; }
	no_procs_left
	left=$(pgrep -f "s6-log .*$STATE" | paste -sd , -)
	[ -z "$left" ] || fail "loggers left: $(ps -o pid=,args= -p "$left")"
}

test_start_while_stopping() {
	write_conf "STOP_TIMEOUT=3"
	tp_start
	kill -STOP "$(victim wsgate wsgate)"
	tp stop >"$T/stop.out" 2>&1 &
	stopper=$!
	track $stopper
	wait_for 10 grep -q '^stopping ' "$STATE/supervisor.state" ||
	    fail "the supervisor never said it was stopping"
	tp status >/dev/null 2>&1
	rc=$?
	[ "$rc" = 3 ] || fail "status exited $rc while the supervisor stops"
	tp start >"$T/out" 2>&1 || { cat "$T/out"; fail "start exited $?"; }
	wait "$stopper"
	assert_all_up "start while a supervisor stopped"
}

test_killed_while_a_stage_starts
test_killed_while_loggers_start
test_start_while_stopping
