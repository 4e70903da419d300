#!/bin/sh
# t-collector-replay-cut-by-next-said: a book message whose rest never
# comes, another record recorded before its LAST (its writer stopped
# inside it and was started again), is not replayed: no record of it
# goes into the ring, which holds whole messages only; `collector -v
# replay` says it, "book message at seq N: no LAST before the trade
# record at seq M: dropped", as `recorder cat -v` says one, and the
# count of incomplete messages counts it, with -v or without (so does
# one cut by another message's START).  Its START went into the ring
# with the trade after it, as one message that shmreader dropped, "no
# LAST before the trade record", said and counted by nothing in replay.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z, as gap_trades'
{
	gap_trades 0 0
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=100:0:1:0 flags=1"
	gap_trades 2 2
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 3)) recv=$((ts + 3)) nbids=1 level=100:0:1:0 flags=1"
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 4)) recv=$((ts + 4)) nbids=1 level=101:0:1:0 flags=7"
	gap_trades 5 5
} | put_recorded 6
grep -q "book message at seq 2: no LAST before the trade record at seq 3: dropped" \
    "$T/cat.err" || fail "recorder cat -v: $(cat "$T/cat.err")"
grep -q "book message at seq 4: no LAST before the book START record at seq 5: dropped" \
    "$T/cat.err" || fail "recorder cat -v: $(cat "$T/cat.err")"

"$BIN/collector" -v --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
replayed_as_cat 4
assert_eq "said with -v" \
    "collector: $H: book message at seq 2: no LAST before the trade record at seq 3: dropped
collector: $H: book message at seq 4: no LAST before the book START record at seq 5: dropped" \
    "$(grep 'no LAST' "$T/err")"
grep -q "$H: 2 incomplete book messages skipped" "$T/err" ||
    fail "not counted: $(cat "$T/err")"

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "said without -v" "collector: $H: 2 incomplete book messages skipped" \
    "$(cat "$T/err")"
exit 0
