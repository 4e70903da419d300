#!/bin/sh
# t-supervisor-sched-fifo: SCHED_FIFO=PRIO starts the live path's
# processes (redis-server, collector, the pipeline's shmreader and
# redispub, wsgate) under SCHED_FIFO at PRIO, says so in the log, and
# leaves the recorder and deriver (and the derived pipeline) under the
# normal policy, but for the recorder's reader thread, real-time at the
# recorder's own --rt-prio default of 1, below the live path; a priority
# out of 1-99 or not a number is a config error (78).  Skipped where
# real-time scheduling is not permitted.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
command -v chrt >/dev/null || skip "no chrt (util-linux)"
chrt -f 7 true 2>/dev/null || skip "SCHED_FIFO not permitted here"

for bad in 0 100 x -1 '7 8'; do
	write_conf "SCHED_FIFO=$bad"
	tp status >"$T/out" 2>&1
	assert_eq "exit status for SCHED_FIFO=$bad" 78 "$?"
	grep -q "SCHED_FIFO=$bad: want a priority" "$T/out" ||
	    fail "message for SCHED_FIFO=$bad: $(cat "$T/out")"
done

write_conf "SCHED_FIFO=7"
tp_start
grep -q "SCHED_FIFO priority 7 for: redis collector pipeline wsgate" \
    "$STATE/log/supervisor/current" || fail "not logged: $(tail -n 5 "$STATE/log/supervisor/current")"

# policy PID: "SCHED_FIFO 7", "SCHED_OTHER 0" ...
policy() {
	LC_ALL=C chrt -p "$1" | awk -F': *' '
	    /policy/ { p = $2 } /priority/ { n = $2 } END { print p, n }'
}
for st in redis collector pipeline wsgate deriver recorder derived; do
	pids=$(stage_pids $st)
	case $pids in "" | -) fail "$st: no pids" ;; esac
	case $st in
	deriver | derived) want="SCHED_OTHER 0" ;;
	recorder) want="SCHED_FIFO 1" ;;
	*) want="SCHED_FIFO 7" ;;
	esac
	for p in $pids; do
		assert_eq "$st $(cat "/proc/$p/comm") $p" "$want" "$(policy "$p")"
	done
done
# the recorder's writer thread: the normal policy
p=$(stage_pids recorder)
for t in "/proc/$p/task/"*; do
	[ "${t##*/}" = "$p" ] ||
	    assert_eq "recorder writer thread ${t##*/}" "SCHED_OTHER 0" "$(policy "${t##*/}")"
done
data_flows || fail "nothing published under SCHED_FIFO"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
