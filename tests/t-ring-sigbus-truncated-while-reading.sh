#!/bin/sh
# t-ring-sigbus-truncated-while-reading: SIGBUS cause 3 in tickpipe-ring(5),
# another process truncating the ring while a reader is in the middle of
# it.  The reader's SIGBUS guard turns the fault into one clear line and
# exit status 74 (EX_IOERR), never a core dump or a death by signal.
# Shown for shmreader (blocked on a full pipe when the object shrinks,
# then reading on) and for the library guard alone (tests/ringtool).  An
# idle reader whose object loses only its last slot never faults, but
# with no writer to repair it the ring is as lost: it exits 74 too
# (tickpipe-ring(5), "Writer recovery"), where it waited for ever.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$T/ring

"$BIN/collector" --ring "$R" --capacity 65536 sim --count 30000 --rate max \
    2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"

# shmreader writes into a FIFO nobody drains yet: it blocks with most of
# the ring still to read.
mkfifo "$T/fifo"
"$BIN/shmreader" --ring "$R" --from oldest >"$T/fifo" 2>"$T/err" &
sp=$!
track $sp
exec 3<"$T/fifo"
IFS= read -r first <&3 || fail "shmreader printed nothing"
case $first in '{"type":'*) ;; *) fail "first line: $first" ;; esac
sleep 1
kill -0 $sp 2>/dev/null || fail "shmreader ended early: $(cat "$T/err")"
truncate -s 4096 "$R"
lines=$(cat <&3 | wc -l)
exec 3<&-
wait $sp
st=$?
note "shmreader printed $lines more lines, then: $(cat "$T/err")"
assert_eq "shmreader exit status" 74 "$st"
assert_eq "stderr" "shmreader: ring $R: SIGBUS reading shared memory: the object was truncated or resized by another process" \
    "$(cat "$T/err")"

# the library guard alone: a slow reader sleeps, the object shrinks, the
# next copy faults
rm -f "$R"
"$BIN/tests/ringtool" write "$R" --until 5000 --capacity 4096 >/dev/null ||
    fail "ringtool write"
"$BIN/tests/ringtool" read "$R" --until 5000 --slow-every 100 \
    --slow-us 200000 --ready-file "$T/reading" >"$T/out" 2>"$T/err2" &
rp=$!
track $rp
wait_for 60 test -e "$T/reading" || fail "ringtool read: $(cat "$T/err2")"
truncate -s 4096 "$R"
wait $rp
st=$?
assert_eq "ringtool exit status" 74 "$st"
grep -q "^ringtool: ring $R: SIGBUS reading shared memory" "$T/err2" ||
    fail "ringtool: $(cat "$T/err2")"

# an idle reader, the object one slot shorter, no writer
rm -f "$R"
"$BIN/collector" --ring "$R" --capacity 1024 sim --count 100 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
"$BIN/shmreader" --ring "$R" >"$T/out3" 2>"$T/err3" &
sp=$!
track $sp
wait_for 10 test -s "$T/out3" || fail "shmreader printed nothing: $(cat "$T/err3")"
truncate -s $((4096 + 1023 * 256)) "$R"
wait_for 10 sh -c "! kill -0 $sp 2>/dev/null" ||
    fail "the idle reader waits on a truncated ring no writer holds"
wait $sp
assert_eq "idle shmreader exit status" 74 "$?"
assert_eq "stderr" "shmreader: ring $R: the object is $((4096 + 1023 * 256)) bytes, not $((4096 + 1024 * 256)): truncated or resized by another process" \
    "$(cat "$T/err3")"
exit 0
