#!/bin/sh
# t-recorder-new-ring: the ring is removed while no writer runs and made
# anew (its sequence starting again at 1, tickpipe-ring(5) "Writer
# recovery"), twice, under a running recorder (the first time stopped
# behind it, so that both rings' records may meet in a block).  The
# recorder follows each new ring and goes on, starting a block at it
# (one whose records went back in seq was taken for damage by its queue,
# "no block at N", exit 74: seen by hand with the ring truncated under a
# recorder behind), the history marks where the sequence starts again
# with a gap of "new_ring":true and 0 records (tickpipe-json(5)), and
# `recorder cat` gives every message of the three rings.  A fourth ring,
# made while no recorder runs, is marked alike by the next recorder; a
# fifth too, by a recorder killed soon after, and the next one goes on.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
last() { "$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p'; }
msgs() { "$BIN/shmreader" --ring "$RING" --no-follow | wc -l; }

# ring N COUNT: a ring of COUNT sim messages (seed N), recorded; its
# last seq in end, its messages added to total
total=0
ring() {
	"$BIN/collector" --ring "$RING" sim --seed "$1" --count "$2" 2>"$T/c.err" ||
	    fail "collector: $(cat "$T/c.err")"
	end=$(last)
	total=$((total + $(msgs)))
	[ -n "${RPID:-}" ] || rec_start a --flush 20
	wait_for 20 recorded_up_to "$H" "$end" ||
	    fail "ring $1 not recorded: $(cat "$T/a.err")"
}
# the first ring's records and the second's in one block: the recorder,
# behind, is stopped until the second ring is made
"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 1 --count 20000 \
    --rate max 2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
end1=$(last)
total=$(msgs)
rec_start a --flush 20
kill -STOP $RPID
"$BIN/shmreader" --ring "$RING" --unlink || fail "--unlink"
"$BIN/collector" --ring "$RING" sim --seed 2 --count 200 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
end2=$(last)
total=$((total + $(msgs)))
kill -CONT $RPID
wait_for 20 recorded_up_to "$H" "$end2" ||
    fail "ring 2 not recorded: $(cat "$T/a.err")"
kill -0 $RPID 2>/dev/null || { wait $RPID; fail "the recorder exited $?: $(cat "$T/a.err")"; }
"$BIN/shmreader" --ring "$RING" --unlink || fail "--unlink"
ring 3 100
rec_until a "$end"
end3=$end
# made anew while no recorder runs, with fewer records: the next one
# started finds the last recorded seq above the ring's and marks it too
# (it used to go on from the new ring's oldest with nothing recorded: a
# history whose seq went back with no gap line)
"$BIN/shmreader" --ring "$RING" --unlink || fail "--unlink"
"$BIN/collector" --ring "$RING" sim --seed 4 --count 20 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
end=$(last)
total=$((total + $(msgs)))
[ "$end" -lt "$end3" ] || fail "ring 4 ends at $end, not below $end3"
rec_start b --flush 20
rec_until b "$end"
end4=$end
# a fifth, and a recorder killed after it marked it, before it wrote a
# block: the next one marks it and goes on from the new ring's oldest
# (the mark, written at once as a history's last record, once resumed
# a recorder after the old ring's seq, skipping the new ring's records
# up to it unsaid)
"$BIN/shmreader" --ring "$RING" --unlink || fail "--unlink"
"$BIN/collector" --ring "$RING" sim --seed 5 --count 5 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
rec_start c --flush 600000
grep -q "new ring" "$T/c.err" || fail "ring 5 not marked: $(cat "$T/c.err")"
kill -STOP $RPID
"$BIN/collector" --ring "$RING" sim --seed 6 --count 400 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
kill -KILL $RPID
kill -CONT $RPID
wait $RPID 2>/dev/null
end=$(last)
total=$((total + $(msgs)))
rec_start d --flush 20
rec_until d "$end"
"$BIN/recorder" cat "$H" >"$T/all" 2>"$T/cat.err" ||
    fail "recorder cat: exit $?: $(cat "$T/cat.err")"
assert_eq "gap lines" "{\"type\":\"gap\",\"from\":$((end1 + 1)),\"lost\":0,\"new_ring\":true}
{\"type\":\"gap\",\"from\":$((end2 + 1)),\"lost\":0,\"new_ring\":true}
{\"type\":\"gap\",\"from\":$((end3 + 1)),\"lost\":0,\"new_ring\":true}
{\"type\":\"gap\",\"from\":$((end4 + 1)),\"lost\":0,\"new_ring\":true}" \
    "$(grep '"type":"gap"' "$T/all")"
assert_eq "messages" "$total" "$(grep -vc '"type":"gap"' "$T/all")"
