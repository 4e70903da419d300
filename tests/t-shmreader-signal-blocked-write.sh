#!/bin/sh
# t-shmreader-signal-blocked-write: a signal that comes while shmreader
# is blocked writing to a full pipe interrupts nothing: after SIGUSR1
# it writes on, after SIGTERM it finishes the message, flushes and exits
# 0, the output whole (jsonl: complete lines; raw: whole records).
# Before: the write failed with EINTR, stdio dropped its buffer and
# shmreader exited 74, "stdout: Interrupted system call", the reader
# left with 65536 bytes ending mid-line.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" sim --count 20000 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

# blocked NAME SIGNALS ARGS...: shmreader into a pipe not read for 2 s,
# sent each of SIGNALS (a comma-separated list) once it is blocked
blocked() {
	_n=$1 _sigs=$2
	shift 2
	mkfifo "$T/$_n.fifo"
	{ sleep 2; cat; } <"$T/$_n.fifo" >"$T/$_n.out" &
	_c=$!
	track $_c
	"$BIN/shmreader" --ring "$RING" "$@" >"$T/$_n.fifo" 2>"$T/$_n.err" &
	_s=$!
	track $_s
	sleep 1
	for _sig in $(echo "$_sigs" | tr , ' '); do
		kill "-$_sig" "$_s"
		sleep 0.2
	done
	wait_pid 20 "$_s" "shmreader $*"
	_rc=$?
	wait_pid 20 "$_c" "the pipe's reader" || fail "$_n: cat: exit $?"
	grep -q "Interrupted" "$T/$_n.err" && fail "$_n: $(cat "$T/$_n.err")"
	assert_eq "$_n: exit status" 0 "$_rc"
}

blocked usr1term USR1,TERM
grep -q '^shmreader: counters: msgs ' "$T/usr1term.err" ||
    fail "SIGUSR1: no counters: $(cat "$T/usr1term.err")"
/usr/bin/python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    if not line.endswith(b"\n"):
        sys.exit("a torn last line: %r" % line[-60:])
    json.loads(line)
    n += 1
if n < 100:
    sys.exit("%d lines only" % n)' "$T/usr1term.out" || fail "jsonl output"

blocked raw INT --format raw
size=$(wc -c <"$T/raw.out")
[ "$size" -gt 65536 ] || fail "raw: $size bytes only"
[ $(( (size - 64) % 256 )) -eq 0 ] ||
    fail "raw: $size bytes: not the header and whole records"
exit 0
