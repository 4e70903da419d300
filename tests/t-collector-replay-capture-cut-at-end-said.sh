#!/bin/sh
# t-collector-replay-capture-cut-at-end-said: a book message a raw
# capture ends inside (its START captured, its LAST never: shmreader
# stopped while its writer stalled, or the capture was cut short) is not
# replayed: no record of it goes into the ring; `collector replay` says
# it without -v, "book message at seq N: no LAST at the end of the
# capture: dropped", as it says one a history ends inside, and counts it
# with the incomplete messages; the trade before it is replayed and the
# exit status is 0.  With -v it is said once.  A capture that ends in a
# partial record inside one says "no LAST before the partial record".
# One that begins at or after --to is not wanted: not said
# (collector(1)).  It was counted nowhere, said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
{
	echo "type=1 venue=1 symbol=BTC-USD ts=$ts recv=$ts price=100 qty=1 side=1 tid=a"
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=100:0:1:0 flags=5"
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=99:0:1:0 flags=2"
} | "$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/cap.raw" ||
    fail "shmreader --format raw"
assert_eq "capture size" $((64 + 3 * 256)) "$(wc -c <"$T/cap.raw" | tr -d ' ')"
# the trade and the book message's START, its LAST cut off
head -c $((64 + 2 * 256)) "$T/cap.raw" >"$T/cut.raw"

replay_cut_at_end "$T/cut.raw" capture

# half of the LAST record captured
head -c $((64 + 2 * 256 + 128)) "$T/cap.raw" >"$T/half.raw"
"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max "$T/half.raw" 2>"$T/err"
assert_eq "exit status, partial record" 0 "$?"
assert_eq "stderr, partial record" \
    "collector: $T/half.raw: ends with a partial record
collector: $T/half.raw: book message at seq 2: no LAST before the partial record: dropped
collector: $T/half.raw: 1 incomplete book messages skipped" "$(cat "$T/err")"

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max --to $((ts + 1)) \
    "$T/cut.raw" 2>"$T/err"
assert_eq "exit status with --to" 0 "$?"
! grep -q 'no LAST' "$T/err" || fail "said with --to: $(cat "$T/err")"
grep -q "$T/cut.raw: 1 incomplete book messages skipped" "$T/err" ||
    fail "not counted with --to: $(cat "$T/err")"

# the whole capture: the message replayed, nothing said
"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max "$T/cap.raw" 2>"$T/err"
assert_eq "exit status, whole capture" 0 "$?"
assert_eq "stderr, whole capture" "" "$(cat "$T/err")"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/got" || fail "shmreader"
assert_eq "messages in the ring, whole capture" 2 "$(wc -l <"$T/got")"
exit 0
