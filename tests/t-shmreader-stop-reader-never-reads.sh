#!/bin/sh
# t-shmreader-stop-reader-never-reads: SIGTERM to shmreader blocked on a
# pipe whose reader never reads ends it within the bound of shmreader(1)
# SIGNALS, 2 s without a byte written, well before tickpipe(8)'s
# STOP_TIMEOUT: exit 74, with what was left unwritten and, with -v, the
# counters on standard error.
# Before: the write was restarted after the signal and blocked for ever;
# the supervisor's SIGKILL lost the counters.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" sim --count 20000 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

# stopped NAME ARGS...: shmreader into a pipe held by sleep, SIGTERM
# once it is blocked; sets rc and took (ms from the signal to its end)
stopped() {
	_n=$1
	shift
	mkfifo "$T/$_n.fifo"
	# shellcheck disable=SC2217 # the reader that never reads
	sleep 30 <"$T/$_n.fifo" &
	_c=$!
	track $_c
	"$BIN/shmreader" -v --ring "$RING" "$@" >"$T/$_n.fifo" \
	    2>"$T/$_n.err" &
	_s=$!
	track $_s
	sleep 1
	_t0=$(ms)
	kill -TERM "$_s"
	wait_pid 4 "$_s" "shmreader $* after SIGTERM"
	rc=$?
	took=$(( $(ms) - _t0 ))
	kill "$_c"
	wait "$_c" 2>/dev/null
}

stopped jsonl
assert_eq "jsonl: exit status" 74 "$rc"
[ "$took" -ge 1900 ] || fail "jsonl: gave up after $took ms only"
grep -Eq '^shmreader: stdout: nothing written for 2 s after the stop: [1-9][0-9]* bytes \([1-9][0-9]* lines\) not written$' \
    "$T/jsonl.err" || fail "jsonl: $(cat "$T/jsonl.err")"
grep -q '^shmreader: counters: msgs [1-9]' "$T/jsonl.err" ||
    fail "jsonl: no counters: $(cat "$T/jsonl.err")"

stopped raw --format raw
assert_eq "raw: exit status" 74 "$rc"
grep -Eq '^shmreader: stdout: nothing written for 2 s after the stop: [1-9][0-9]* bytes \([1-9][0-9]* records\) not written$' \
    "$T/raw.err" || fail "raw: $(cat "$T/raw.err")"
exit 0
