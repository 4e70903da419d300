#!/bin/sh
# t-supervisor-clock-step: the wall clock stepping (NTP, a resumed VM,
# date -s) does not make a running supervisor look dead: a process's
# start is taken in clock ticks after boot (tickpipe(8), the lock).
# Shown with the clock of the checking command alone moved 30 s either
# way (faketime(1)): `status` says up and `check` is quiet, starting
# no second supervisor.  (The start was the wall clock less ps's elapsed
# time, with 5 s of slack: status said "not running" and check started
# a second supervisor, which took the first one's pid files and fifos.)
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
command -v faketime >/dev/null || skip "faketime not installed"

# redis-cli hangs under libfaketime (as do other programs with threads):
# it runs on the real clock, which status and check only ask for counters
mkdir "$T/bin"
printf '#!/bin/sh\nunset LD_PRELOAD FAKETIME\nexec %s "$@"\n' \
    "$(command -v redis-cli)" >"$T/bin/redis-cli"
chmod +x "$T/bin/redis-cli"

tp_start
sp=$(sup_pid)
before=$(cat "$STATE/run/collector.pids")
for step in +30s -30s; do
	# the monotonic clock left alone: only the wall clock steps
	PATH=$T/bin:$PATH FAKETIME_DONT_FAKE_MONOTONIC=1 timeout 30 \
	    faketime -f "$step" sh "$TP_SCRIPT" -c "$CONF" status \
	    >"$T/status" 2>&1
	grep -q "^supervisor: up (pid $sp " "$T/status" ||
	    fail "clock $step: status: $(head -n 1 "$T/status")"
	PATH=$T/bin:$PATH FAKETIME_DONT_FAKE_MONOTONIC=1 timeout 30 \
	    faketime -f "$step" sh "$TP_SCRIPT" -c "$CONF" check \
	    >"$T/check" 2>&1 ||
	    fail "clock $step: check exited $?: $(cat "$T/check")"
	[ ! -s "$T/check" ] || fail "clock $step: check was not quiet: $(cat "$T/check")"
	assert_eq "clock $step: supervisor" "$sp" "$(sup_pid)"
	assert_eq "clock $step: collector" "$before" \
	    "$(cat "$STATE/run/collector.pids")"
done
tp stop >/dev/null 2>&1 || fail "stop exited $?"
exit 0
