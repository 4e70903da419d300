#!/bin/sh
# t-collector-replay-too-long-said: a book message of more than 1024
# records, which a reader drops at its 1025th (tickpipe-ring(5)), is not
# replayed, and is said whatever -v, in the words of `recorder cat`,
# "book message from seq N: more than 1024 records: skipped", and counted
# (collector(1)).  It was counted among the incomplete messages, said
# by nothing else.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
b="type=2 venue=1 symbol=BTC-USD ts=$ts recv=$ts nbids=1"
{
	echo "$b level=102:0:1:0 flags=5"
	echo "$b level=101:0:1:0 flags=0"
	echo "$b level=100:0:1:0 flags=2"
	echo "type=1 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) price=100 qty=1 side=1 tid=a"
} | "$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/four.raw" ||
    fail "shmreader --format raw"
# the START, its middle record 1024 times over, the LAST, the trade
rec() { tail -c +$((64 + ($1 - 1) * 256 + 1)) "$T/four.raw" | head -c 256; }
rec 2 >"$T/mid"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	cat "$T/mid" "$T/mid" >"$T/mid2" && mv "$T/mid2" "$T/mid"
done
{ head -c 64 "$T/four.raw"; rec 1; cat "$T/mid"; rec 3; rec 4; } >"$T/all.raw"
assert_eq "capture size" $((64 + 1027 * 256)) "$(wc -c <"$T/all.raw" | tr -d ' ')"

"$BIN/collector" --ring "$R" replay --speed max "$T/all.raw" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "stderr" \
    "collector: $T/all.raw: book message from seq 1: more than 1024 records: skipped
collector: $T/all.raw: 1 incomplete book messages skipped" "$(cat "$T/err")"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
! grep -q 'book' "$T/got" "$T/rerr" ||
    fail "the message went into the ring: $(grep 'book' "$T/got" "$T/rerr" | head -n 2 | cut -c 1-200)"
assert_eq "messages in the ring" 1 "$(wc -l <"$T/got" | tr -d ' ')"
exit 0
