#!/bin/sh
# t-supervisor-lock-malformed: a lock (STATE_DIR/supervisor.pid) that
# names a live process without a start time in numbers (the pid alone,
# "-", a word; or init's pid), or a FIFO, is no supervisor's: `status`
# (which does not hang on the FIFO) does not take
# that process for one, `stop` does not signal it, and `check` takes the
# lock over and starts the pipeline (tickpipe(8): a lock whose process
# is another's is taken over).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

mkdir -p "$STATE"
sh -c 'trap "echo TERM >>\"$1\"; exit 0" TERM; while :; do sleep 1; done' \
    by "$T/bystander.log" &
bp=$!
track "$bp"
bystander_untouched() { kill -0 "$bp" 2>/dev/null && [ ! -s "$T/bystander.log" ]; }
for lock in "$bp" "$bp -" "$bp abc" "1 0" "1"; do
	echo "$lock" >"$STATE/supervisor.pid"
	tp status >"$T/status" 2>&1
	grep -q "supervisor: .*(pid" "$T/status" &&
	    fail "lock \"$lock\": status takes a process for the supervisor: $(head -n 1 "$T/status")"
	echo "$lock" >"$STATE/supervisor.pid"
	tp stop >"$T/stop" 2>&1 || fail "lock \"$lock\": stop exited $?: $(cat "$T/stop")"
	bystander_untouched ||
	    fail "lock \"$lock\": stop signalled the process it names"
done
# a FIFO there (or a device) is no lock: read(1) waited on it for ever
rm -f "$STATE/supervisor.pid"
mkfifo "$STATE/supervisor.pid"
timeout 20 sh "$TP_SCRIPT" -c "$CONF" status >"$T/status" 2>&1
[ $? -ne 124 ] || fail "a FIFO as the lock: status hangs"
grep -q "supervisor: not running" "$T/status" ||
    fail "a FIFO as the lock: status: $(head -n 1 "$T/status")"
timeout 20 sh "$TP_SCRIPT" -c "$CONF" stop >"$T/stop" 2>&1
[ $? -ne 124 ] || fail "a FIFO as the lock: stop hangs"
rm -f "$STATE/supervisor.pid"
echo "$bp -" >"$STATE/supervisor.pid"
tp check >"$T/check" 2>&1
wait_for 60 all_up || fail "check did not start the pipeline: $(cat "$T/check")"
sp=$(sup_pid)
[ "$sp" != "$bp" ] || fail "the lock still names the bystander"
bystander_untouched || fail "check signalled the process the lock named"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
exit 0
