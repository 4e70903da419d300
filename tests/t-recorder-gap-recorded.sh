#!/bin/sh
# t-recorder-gap-recorded: records the recorder could not read (the ring
# overwrote them while it was stopped) are recorded as a gap of the exact
# sequence and count: `recorder cat` prints the gap line as shmreader
# would and a type-0 record in raw form, `collector replay` reports it,
# and every record on either side is there; `cat --from` a time after
# the record before a gap prints the gap first.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

"$BIN/collector" --ring "$RING" --capacity 64 sim --count 5 --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
first=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
"$BIN/recorder" --ring "$RING" --flush 20 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
recorded() { [ -n "$(ls "$H"/*/*.tph 2>/dev/null)" ]; }
wait_for 10 recorded || fail "nothing recorded"
sleep 0.2
kill -TERM $RPID
wait $RPID || fail "recorder: exit $?: $(cat "$T/rec.err")"

# while it is stopped, the ring of 64 wraps
"$BIN/collector" --ring "$RING" sim --count 100 --rate max 2>"$T/err" ||
    fail "collector sim: $(cat "$T/err")"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
oldest=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^oldest: //p')
[ "$oldest" -gt $((first + 1)) ] || fail "the ring did not wrap: oldest $oldest"
"$BIN/recorder" --ring "$RING" --flush 20 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
wait_for 10 sh -c "'$BIN/recorder' cat --format raw '$H' | wc -c | grep -qx $((64 + 256 * (first + 1 + cursor - oldest + 1)))" ||
    fail "restarted recorder did not record the ring"
kill -TERM $RPID
wait $RPID || fail "recorder: exit $?: $(cat "$T/rec.err")"
lost=$((oldest - first - 1))
grep -q "lost $lost records from seq $((first + 1)) (recorded as a gap)" \
    "$T/rec.err" || fail "gap not said: $(cat "$T/rec.err")"

"$BIN/recorder" cat "$H" >"$T/all.jsonl" 2>"$T/err" || fail "recorder cat: $(cat "$T/err")"
assert_eq "gap line" "{\"type\":\"gap\",\"from\":$((first + 1)),\"lost\":$lost}" \
    "$(grep '"gap"' "$T/all.jsonl")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap"
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap"
# the first records, a gap record, then the ring's records
{ head -c $((64 + first * 256)) "$T/all.cap"
  tail -c +$((64 + (first + 1) * 256 + 1)) "$T/all.cap"; } >"$T/nogap.cap"
s=$($CAP seqs "$T/nogap.cap")	# not continuous: the gap
assert_eq "records beside the gap" "1 $cursor $((first + cursor - oldest + 1))" "$s"
tail -c +65 "$T/ring.cap" | cmp - "$T/all.cap" -i 0:$((64 + (first + 1) * 256)) ||
    fail "records after the gap differ from the ring's"
"$BIN/collector" --ring "$RING.r" replay --speed max "$H" 2>"$T/err" ||
    fail "collector replay: $(cat "$T/err")"
grep -q "the recording lost $lost records from seq $((first + 1))" "$T/err" ||
    fail "replay did not report the gap: $(cat "$T/err")"

# a recorder stopped (SIGSTOP) while a ring of 16 laps it: its gap has
# the ts of the record before it; `cat --from` a time just after that
# prints the gap first, since the records lost may be in the range
tr() {	# tr N: a trade line at 2026-12-02T14:00Z + N ns
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"%s","qty":"1","side":"buy","tid":"x"}\n' \
	    $((1796220000000000000 + $1)) $((1796220000000000000 + $1)) "$1"
}
tr 0 >"$T/lines"
"$BIN/collector" --ring "$RING.s" --capacity 16 jsonl <"$T/lines" \
    2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
"$BIN/recorder" --ring "$RING.s" --flush 20 "$T/hs" 2>"$T/rec.err" &
RPID=$!
track $RPID
wait_for 10 recorded_up_to "$T/hs" 1 || fail "seq 1 not recorded"
kill -STOP $RPID
i=2
while [ $i -lt 60 ]; do tr $i; i=$((i + 1)); done >"$T/lines"
"$BIN/collector" --ring "$RING.s" --capacity 16 jsonl <"$T/lines" \
    2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
kill -CONT $RPID
wait_for 10 recorded_up_to "$T/hs" 59 || fail "seq 59 not recorded"
kill -TERM $RPID
wait $RPID || fail "recorder: exit $?: $(cat "$T/rec.err")"
"$BIN/recorder" cat --from 1796220000000000001 "$T/hs" >"$T/from.jsonl" \
    2>"$T/err" || fail "recorder cat --from: $(cat "$T/err")"
head -n 1 "$T/from.jsonl" | grep -q '^{"type":"gap","from":2,"lost":[1-9][0-9]*}$' ||
    fail "cat --from: no gap first: $(head -n 2 "$T/from.jsonl")"
exit 0
