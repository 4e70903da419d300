#!/bin/sh
# t-deriver-bars-late-start-and-negative: bars of trades at negative prices
# (tickpipe-json(5) decimals) are written, equal to the reference model
# (tests/deriver/ref.py), not withheld as sums that do not fit.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d

# trade SEC PRICE: a sim BTC-USD trade line at SEC (a decimal) seconds
trade() {
	ns=$(echo "$1" | awk '{ printf "%.0f", $1 * 1000 }')000000
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"%s","qty":"1","side":"buy","tid":"x"}\n' \
	    "$ns" "$ns" "$2"
}
feed() {	# the lines in $T/lines into ring A
	"$BIN/collector" --ring "$A" --capacity 64 jsonl --strict \
	    <"$T/lines" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
}
bars() {	# RING: its bar and status lines, but seq
	"$BIN/shmreader" --ring "$1" --no-follow 2>/dev/null |
	    sed 's/,"seq":[0-9]*,/,/' | grep -e '"type":"bar"' -e '"type":"status"'
}

# negative prices: the bars of the model
{ trade 1000 -1; trade 1001 -1.5; trade 1001.001 1; trade 1002 -0.00001
  trade 1002.001 0; trade 1003 -3; trade 1003.001 -2; trade 1004 5; } >"$T/lines"
feed
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D.neg" --from oldest --no-follow \
    --bar 1s --no-quotes --no-xbest 2>"$T/deriver.err" ||
    fail "deriver: $(cat "$T/deriver.err")"
bars "$D.neg" >"$T/neg"
/usr/bin/python3 "$TESTS/deriver/ref.py" --bar 1000 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
assert_eq "negative: bars" 4 "$(grep -c '"type":"bar"' "$T/neg")"
cmp "$T/ref" "$T/neg" >/dev/null ||
    fail "negative: differs from the model: $(diff "$T/ref" "$T/neg" | head -n 4)"
exit 0
