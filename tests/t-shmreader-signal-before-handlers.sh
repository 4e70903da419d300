#!/bin/sh
# t-shmreader-signal-before-handlers: a signal that comes before
# shmreader's handlers are in place is held until they are, then taken
# by them: SIGUSR1 prints the counters when next idle, SIGTERM stops it,
# exit 0.  Made certain by starting shmreader with the signal already
# pending (blocked, which exec(2) keeps): it must unblock it itself.
# Before: a SIGUSR1 in its first moments killed it (the default action),
# and one left blocked by whoever started it was never taken.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" sim --count 10 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

# pending SIG ARGS...: shmreader ARGS exec'd with SIG pending, in the
# background; sets s
pending() {
	_sig=$1
	shift
	/usr/bin/python3 -c 'import os, signal, sys
s = getattr(signal, sys.argv[1])
signal.pthread_sigmask(signal.SIG_BLOCK, {s})
os.kill(os.getpid(), s)
os.execv(sys.argv[2], sys.argv[2:])' "$_sig" "$BIN/shmreader" "$@" &
	s=$!
	track $s
}

pending SIGUSR1 --ring "$RING" >"$T/usr1.out" 2>"$T/usr1.err"
wait_for 5 grep -q '^shmreader: counters: msgs 10 ' "$T/usr1.err" ||
    fail "SIGUSR1 held at the start: no counters: $(cat "$T/usr1.err")"
kill -TERM $s
wait_pid 5 $s "shmreader after SIGTERM"
assert_eq "SIGUSR1 then SIGTERM: exit status" 0 "$?"

pending SIGTERM --ring "$RING" >"$T/term.out" 2>"$T/term.err"
wait_pid 5 $s "shmreader started with SIGTERM pending"
assert_eq "SIGTERM held at the start: exit status" 0 "$?"
[ ! -s "$T/term.err" ] || fail "SIGTERM: $(cat "$T/term.err")"
exit 0
