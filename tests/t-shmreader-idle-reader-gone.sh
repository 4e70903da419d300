#!/bin/sh
# t-shmreader-idle-reader-gone: `shmreader | head -1` on an idle ring
# ends: on its idle wake shmreader sees that the pipe's reader is gone
# and exits 0, as on a closed pipe, without a new record to write.
# Before: it noticed only at its next write, and ran for ever.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 16 sim --count 5 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

mkfifo "$T/fifo"
"$BIN/shmreader" --ring "$RING" >"$T/fifo" 2>"$T/err" &
s=$!
track $s
timeout 10 head -n 1 <"$T/fifo" >"$T/out" || fail "head: exit $?"
grep -q '^{"type":' "$T/out" || fail "head -1: $(cat "$T/out")"
wait_pid 3 $s "shmreader, its reader gone on an idle ring,"
assert_eq "exit status" 0 "$?"
[ ! -s "$T/err" ] || fail "$(cat "$T/err")"
exit 0
