#!/bin/sh
# t-supervisor-check-during-start: a `check` (cron) that found no
# supervisor running just as a `start` started one leaves that one's
# state files alone: status then exits 0, every stage up or disabled,
# and the check ends once the stages are up (tickpipe(8), check: two at
# once start one supervisor).  Before, the check removed them, as left by
# an earlier supervisor, before it started its own (which found the lock
# taken): the rows of the disabled stages, written once, were gone for
# good ("stopped", status 3), and so was the supervisor's state, the
# check waiting out its whole start time and exiting 1.  The check is
# held between its look at the lock and that removal by an rm(1) of the
# test's in its PATH.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf WSGATE=no DERIVER=no RECORDER=no READY_TIMEOUT=5
mkdir "$T/slow"
cat >"$T/slow/rm" <<EOF2
#!/bin/sh
case " \$* " in
*/supervisor.state" "*)
	[ -e "$T/held" ] && exec /bin/rm "\$@"
	: >"$T/held"
	i=0
	while [ ! -e "$T/go" ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done ;;
esac
exec /bin/rm "\$@"
EOF2
chmod +x "$T/slow/rm"

PATH=$T/slow:$PATH tp check >"$T/check.out" 2>&1 &
checker=$!
wait_for 20 sh -c "[ -e '$T/held' ] || [ -e '$STATE/supervisor.pid' ]" ||
    fail "check neither started a supervisor nor came to remove its state files: $(cat "$T/check.out")"
tp_start
: >"$T/go"
wait_pid 60 "$checker" "check" >/dev/null ||
    fail "check exited $?: $(cat "$T/check.out")"
tp status >"$T/status" 2>&1 ||
    fail "status exited $? once check and start were done: $(cat "$T/status")"
