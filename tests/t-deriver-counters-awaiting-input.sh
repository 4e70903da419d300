#!/bin/sh
# t-deriver-counters-awaiting-input: while the deriver awaits an input
# ring that does not exist yet, SIGUSR1 prints its counters, and with -v
# so does its exit, on SIGTERM or, with --no-follow, on the input missing
# (deriver(1), -v).  Before: nothing was printed until the input opened.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d

# counted FILE: FILE has the counters line, all 0
counted() {
	grep -q '^deriver: counters: records 0 msgs 0 .* published 0$' "$1"
}

"$BIN/deriver" --ring "$A" --out "$D" 2>"$T/usr1.err" &
d=$!
track $d
# the output is made first, then the input awaited
wait_for 10 test -e "/dev/shm/tickpipe.$D" ||
    fail "no output ring: $(cat "$T/usr1.err")"
sleep 0.3
kill -USR1 $d
wait_for 3 counted "$T/usr1.err" ||
    fail "no counters on SIGUSR1 within 3 s: $(cat "$T/usr1.err")"
kill -0 $d 2>/dev/null || fail "deriver ended on SIGUSR1"
kill $d
wait_pid 5 $d deriver
assert_eq "deriver: exit status after SIGTERM" 0 "$?"
assert_eq "counters lines after SIGUSR1 and SIGTERM" 1 \
    "$(grep -c counters "$T/usr1.err")"

"$BIN/deriver" -v --ring "$A" --out "$D" 2>"$T/v.err" &
d=$!
track $d
wait_for 10 grep -q 'waiting for the writer' "$T/v.err" ||
    fail "not awaiting the input: $(cat "$T/v.err")"
kill $d
wait_pid 5 $d "deriver -v"
assert_eq "deriver -v: exit status after SIGTERM" 0 "$?"
counted "$T/v.err" || fail "deriver -v: no counters at exit: $(cat "$T/v.err")"

"$BIN/deriver" -v --ring "$A" --out "$D" --no-follow 2>"$T/nf.err"
assert_eq "deriver -v --no-follow, no input: exit status" 69 "$?"
counted "$T/nf.err" ||
    fail "deriver -v --no-follow: no counters at exit: $(cat "$T/nf.err")"
exit 0
