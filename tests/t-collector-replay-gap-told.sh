#!/bin/sh
# t-collector-replay-gap-told: records the capture or history lost (a
# gap recorded) are told to the readers of the replayed ring, whose
# sequences go on without a gap for them: before the next message
# replayed, a status "resync" without a symbol for each venue replayed
# so far and for that message's (by venue id), "replay: the recording lost N records
# from seq S; books wait for a snapshot", as tickpipe-json(5) announces
# a loss; at the end, for a capture that ends with the gap, the same for
# the venues replayed (collector(1)).  The gap was said on standard
# error only: a reader of the ring read on as if nothing was lost.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
# a coinbase trade; then sim trades 1..40 in a ring of 16, read from seq
# 1: a gap of 24, trades 25..40
echo "type=1 venue=2 symbol=BTC-USD ts=$ts recv=$ts price=99 qty=1 side=1 tid=c" |
    "$BIN/tests/ringtool" put "$RING.c" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$RING.c" --no-follow --format raw >"$T/c.raw" ||
    fail "shmreader --format raw"
"$BIN/shmreader" --ring "$RING.c" --unlink || fail "--unlink"
i=1
while [ $i -le 40 ]; do
	echo "type=1 venue=1 symbol=BTC-USD ts=$((ts + i)) recv=$((ts + i)) price=$((100 + i)) qty=1 side=1 tid=t$i"
	i=$((i + 1))
done | "$BIN/tests/ringtool" put "$RING" --capacity 16 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$RING" --no-follow --from 1 --format raw \
    >"$T/s.raw" || fail "shmreader --format raw --from 1"
{ cat "$T/c.raw"; tail -c +65 "$T/s.raw"; } >"$T/cap.raw"
assert_eq "capture size" $((64 + 18 * 256)) "$(wc -c <"$T/cap.raw" | tr -d ' ')"

"$BIN/collector" --ring "$R" replay --speed max "$T/cap.raw" 2>"$T/err"
assert_eq "exit status" 0 "$?"
grep -q "cap.raw: record 2: the recording lost 24 records from seq 1" \
    "$T/err" || fail "gap not said: $(cat "$T/err")"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
assert_eq "messages in the ring" 19 "$(wc -l <"$T/got" | tr -d ' ')"
why="replay: the recording lost 24 records from seq 1; books wait for a snapshot"
sed -n 2,3p "$T/got" | sed 's/"seq":[0-9]*,//' >"$T/told"
assert_eq "told to the ring" \
    "{\"type\":\"status\",\"venue\":\"sim\",\"vseq\":0,\"ts\":$((ts + 25)),\"recv\":$((ts + 25)),\"status\":\"resync\",\"reason\":\"$why\"}
{\"type\":\"status\",\"venue\":\"coinbase\",\"vseq\":0,\"ts\":$((ts + 25)),\"recv\":$((ts + 25)),\"status\":\"resync\",\"reason\":\"$why\"}" \
    "$(cat "$T/told")"
sed -n 4p "$T/got" | grep -q '"tid":"t25"' ||
    fail "trade 25 not after the statuses: $(sed -n 4p "$T/got")"
"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"

# the coinbase trade, then the gap, and the capture ends
head -c $((64 + 2 * 256)) "$T/cap.raw" >"$T/end.raw"
"$BIN/collector" --ring "$R" replay --speed max "$T/end.raw" 2>"$T/err"
assert_eq "end: exit status" 0 "$?"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
assert_eq "end: messages in the ring" 2 "$(wc -l <"$T/got" | tr -d ' ')"
sed -n 2p "$T/got" | grep -q "\"type\":\"status\",\"venue\":\"coinbase\",.*\"status\":\"resync\",\"reason\":\"$why\"" ||
    fail "end: not told to the ring: $(cat "$T/got")"
exit 0
