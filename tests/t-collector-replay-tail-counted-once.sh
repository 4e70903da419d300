#!/bin/sh
# t-collector-replay-tail-counted-once: the rest of a book message whose
# START the history lacks (the recorder started, or a gap ended, inside
# it), records without START up to its LAST, is not replayed, and counts
# as one incomplete book message, as `recorder cat -v` counts it, however
# many records it has (collector(1)).  Each of its records was counted
# as one: "3 incomplete book messages skipped" for the one message.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
{
	for f in 0 0 2; do
		echo "type=2 venue=1 symbol=BTC-USD ts=$ts recv=$ts nbids=1 level=100:0:1:0 flags=$f"
	done
	echo "type=1 venue=1 symbol=BTC-USD ts=$ts recv=$ts price=100 qty=1 side=1 tid=a"
	echo "type=2 venue=1 symbol=BTC-USD ts=$ts recv=$ts nbids=1 level=101:0:1:0 flags=7"
} | put_recorded 5
grep -q "messages 2 gaps 0 partial 1 " "$T/cat.err" ||
    fail "recorder cat -v: $(cat "$T/cat.err")"

"$BIN/collector" --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "said" "collector: $H: 1 incomplete book messages skipped" \
    "$(cat "$T/err")"
replayed_as_cat 2
exit 0
