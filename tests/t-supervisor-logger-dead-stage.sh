#!/bin/sh
# t-supervisor-logger-dead-stage: a stage that writes while its logger is
# dead, the supervisor busy (here stopped) so that it starts no new one
# yet, is not killed by SIGPIPE (it was: the fifo had writers and no
# reader), and what it wrote meanwhile reaches its log once the logger
# runs again (tickpipe(8): no line is lost).  Also: with STATE_DIR/run
# removed, the supervisor's last lines, why it stops, reach its log (they
# went to a plain file made in run again, and were removed with it).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
wsgate_enabled || skip "wsgate not built"

# a wsgate that says it is ready, then writes a numbered line every 20 ms
# (its arguments name WSGATE_LISTEN: procs_of_test finds it)
stand_in wsgate <<'SH'
#!/bin/sh
printf '\n' >&3
exec 3>&-
i=0
while :; do
	i=$((i + 1))
	echo "line $i"
	sleep 0.02
done
SH
write_conf "BIN_DIR=$T/bin"
tp_start
ws=$(stage_pids wsgate)
[ -n "$ws" ] || fail "no wsgate pid"
lg=$(logger_pid wsgate)
[ -n "$lg" ] || fail "no s6-log for wsgate"
sp=$(sup_pid)
kill -STOP "$sp"
kill -KILL "$lg"
sleep 1				# some 50 lines with no logger
kill -CONT "$sp"
wait_for 10 grep -q "logger of wsgate had exited" \
    "$STATE/log/supervisor/current" || fail "the logger was not started again"
kill -0 "$ws" 2>/dev/null || fail "wsgate died while its logger was dead: $(grep wsgate "$STATE/log/supervisor/current" | tail -n 3)"
assert_eq "wsgate after its logger died" "$ws" "$(stage_pids wsgate)"
# every line, none lost: 1 .. n in order across the log's files
sleep 0.5
cat "$STATE"/log/wsgate/* | sed -n 's/.*line \([0-9]*\)$/\1/p' | sort -n |
    awk 'NR != $1 { print "missing line " NR; exit 1 }' >"$T/gaps" ||
    fail "lines lost: $(cat "$T/gaps")"

# run removed: the supervisor stops, and says why in its log
rm -rf "$STATE/run"
kill -USR1 "$sp" 2>/dev/null	# it looks at once (it would within a minute)
wait_for 30 sh -c "! kill -0 $sp 2>/dev/null" || fail "the supervisor did not stop"
grep -q "run was removed: stopping" "$STATE/log/supervisor/current" ||
    fail "the supervisor's log does not say why it stopped: $(tail -n 3 "$STATE/log/supervisor/current")"
no_procs_left
