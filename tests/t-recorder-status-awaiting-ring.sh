#!/bin/sh
# t-recorder-status-awaiting-ring: while the recorder awaits a ring that
# does not exist yet, SIGUSR1 prints its status line, and with -v so does
# its exit on SIGTERM (recorder(1), SIGNALS and -v), as the deriver's
# counters do (t-deriver-counters-awaiting-input).  Before: SIGUSR1 was
# taken and nothing said, and -v exited without the status line.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
H=$T/hist

# statuses FILE: the status lines in FILE, all 0 before the ring opens
statuses() {
	grep -c '^recorder: status: records 0 gaps 0 .* file -$' "$1"
}

"$BIN/recorder" --ring "$RING" "$H" 2>"$T/usr1.err" &
r=$!
track $r
# the directory is made before the ring is awaited
wait_for 10 test -d "$H" || fail "no $H: $(cat "$T/usr1.err")"
sleep 0.3
kill -USR1 $r
wait_for 3 grep -q '^recorder: status:' "$T/usr1.err" ||
    fail "no status line on SIGUSR1 within 3 s: $(cat "$T/usr1.err")"
kill -0 $r 2>/dev/null || fail "recorder ended on SIGUSR1"
kill $r
wait_pid 5 $r recorder
assert_eq "recorder: exit status after SIGTERM" 0 "$?"
assert_eq "status lines after SIGUSR1 and SIGTERM" 1 \
    "$(statuses "$T/usr1.err")"

"$BIN/recorder" -v --ring "$RING" "$H" 2>"$T/v.err" &
r=$!
track $r
wait_for 10 grep -q 'waiting for the writer' "$T/v.err" ||
    fail "not awaiting the ring: $(cat "$T/v.err")"
kill $r
wait_pid 5 $r "recorder -v"
assert_eq "recorder -v: exit status after SIGTERM" 0 "$?"
assert_eq "recorder -v: status lines at exit" 1 "$(statuses "$T/v.err")"
exit 0
