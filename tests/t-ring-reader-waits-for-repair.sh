#!/bin/sh
# t-ring-reader-waits-for-repair: the object a writer recreated after a
# truncation is damaged in its turn (truncated to 12288 bytes) before a
# reader follows it, while the writer still holds it (SIGSTOPped, so
# that the order is sure).  The reader must not take that object for an
# incompatible ring and exit 78 (which the supervisor never restarts):
# the writer replaces it, and the reader waits and follows the ring it
# makes (tickpipe-ring(5), "Writer recovery"), its loss in gap lines.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 1024 sim --rate 2000 2>"$T/c.err" &
cp=$!
track $cp
wait_for 10 test -e "$SHM" || fail "no ring: $(cat "$T/c.err")"
"$BIN/shmreader" --ring "$RING" >"$T/out" 2>"$T/r.err" &
rp=$!
track $rp
wait_for 10 test -s "$T/out" || fail "shmreader printed nothing: $(cat "$T/r.err")"
kill -STOP $rp
truncate -s 0 "$SHM"
wait_for 10 grep -q "recreated after truncation" "$T/c.err" ||
    fail "the collector did not recreate the ring: $(cat "$T/c.err")"
kill -STOP $cp
truncate -s 12288 "$SHM"
kill -CONT $rp
sleep 1			# the reader finds the damaged object, held by the writer
kill -0 $rp 2>/dev/null || { wait $rp; fail "shmreader exited $? while the writer held the ring: $(cat "$T/r.err")"; }
kill -CONT $cp
wait_for 20 eval '[ "$(grep -c "recreated after truncation" "$T/c.err")" -ge 2 ]' ||
    fail "the collector did not recreate the ring again: $(cat "$T/c.err")"
lines_over() { [ "$(wc -l <"$T/out")" -gt "$1" ]; }
wait_for 20 lines_over $(($(wc -l <"$T/out") + 20)) ||
    fail "the reader did not follow the repaired ring: $(cat "$T/r.err")"
stopped_cleanly collector $cp
stopped_cleanly shmreader $rp
sum=$("$BIN/tests/ringtool" seqcheck <"$T/out" 2>&1) || fail "silent loss: $sum"
note "$sum"
exit 0
