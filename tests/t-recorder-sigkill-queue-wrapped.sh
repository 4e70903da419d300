#!/bin/sh
# t-recorder-sigkill-queue-wrapped: as t-recorder-sigkill-queue-kept, with
# a queue so small (--queue 64K) that it has gone round many times and
# the reader waits for the writer: the recorder started after the kill
# writes the blocks the queue held, across its end, and the history is
# the ring's records up to the last of them, byte for byte, then one gap
# for what the ring overwrote while no recorder ran (recorder(1),
# Crashes and restarts).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
CAPACITY=262144

"$BIN/collector" --ring "$RING" --capacity $CAPACITY sim --seed 9 \
    --count 150000 --rate max 2>"$T/sim.err" ||
	fail "collector sim: $(cat "$T/sim.err")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap" ||
	fail "shmreader"

"$BIN/recorder" -d 3 --ring "$RING" --block 256 --level 19 --writer-nice 19 \
    --queue 64K --flush 50 "$H" 2>"$T/rec1.err" 3>"$T/rec1.ready" &
RPID=$!
track $RPID
wait_for 10 test -s "$T/rec1.ready" || fail "not ready: $(cat "$T/rec1.err")"
field() {
	grep '^recorder: status:' "$T/rec1.err" | tail -n 1 |
	    sed -n "s/.* $1 \([0-9]*\) .*/\1/p"
}
# shellcheck disable=SC2317 # called by wait_for
gone_round() {
	kill -USR1 "$RPID"
	sleep 0.05
	# 5,000 records packed are some 185 KB: the 64 KB queue went round
	[ "$(field last_seq)" -gt 5000 ] && [ "$(field queued)" -gt 0 ]
}
wait_for 60 gone_round || fail "the queue did not go round: $(tail -n 1 "$T/rec1.err")"
kill -KILL $RPID
wait $RPID 2>/dev/null
note "at the kill: $(tail -n 1 "$T/rec1.err" | cut -d ' ' -f 3-22)"

"$BIN/collector" --ring "$RING" --capacity $CAPACITY sim --seed 10 \
    --count 300000 --rate max 2>"$T/sim2.err" ||
	fail "collector sim again: $(cat "$T/sim2.err")"
end=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')

"$BIN/recorder" -d 3 --ring "$RING" --flush 50 "$H" 2>"$T/rec2.err" \
    3>"$T/rec2.ready" &
RPID=$!
track $RPID
wait_for 10 test -s "$T/rec2.ready" || fail "restart: not ready: $(cat "$T/rec2.err")"
last=$(sed -n 's/.*wrote [0-9]* records (seq [0-9]*\.\.\([0-9]*\)) that a recorder stopped left in its queue.*/\1/p' \
    "$T/rec2.err")
[ -n "$last" ] || fail "the restarted recorder wrote no queue: $(cat "$T/rec2.err")"
wait_for 20 recorded_up_to "$H" "$end" ||
	fail "the restarted recorder did not reach seq $end: $(cat "$T/rec2.err")"
kill -TERM $RPID
wait $RPID || fail "restarted recorder: exit $?: $(cat "$T/rec2.err")"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
	fail "recorder cat: $(cat "$T/err")"
head -c $((64 + last * 256)) "$T/all.cap" >"$T/mine"
head -c $((64 + last * 256)) "$T/ring.cap" | cmp -s - "$T/mine" ||
	fail "the history's first $last records are not the ring's"
"$BIN/recorder" cat --format jsonl "$H" 2>/dev/null | grep '"type":"gap"' \
    >"$T/gaps"
assert_eq "the history's one gap (what the ring overwrote)" \
    "{\"type\":\"gap\",\"from\":$((last + 1)),\"lost\":$((end - CAPACITY - last))}" \
    "$(cat "$T/gaps")"
note "the queue gave seq ..$last after the kill"
exit 0
