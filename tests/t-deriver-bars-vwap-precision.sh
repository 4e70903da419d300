#!/bin/sh
# t-deriver-bars-vwap-precision: a vwap whose mantissa does not fit at 4
# decimals more than the finest price is rounded half to even to the
# most decimals at which it fits, and the bar is written (deriver(1));
# it was dropped whole, said as "its sums do not fit".  A trade at
# "1000000000000000" has vwap "1000000000000000.000"; one at
# "1234.123456789012345", that price; 100000000000000.0002 and .0003
# (a tie at 4 decimals) give ".0002", negative ones "-...0002"; a price
# of 10^-58 has a vwap of 60 decimals, the most a record holds.  A bar
# whose sum of price * qty does not fit in 128 bits is not written, and
# the reason says that.  The output equals the model's
# (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # A, D: read by dv.sh
{ A=$RING.a; D=$RING.d; }
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade S PRICE QTY: a sim BTC-USD trade at S s
trade() { trade_line "$1" "$2" "$3" buy; }
{
	trade 1 1000000000000000 1
	trade 2 1234.123456789012345 1
	trade 3 100000000000000.0002 1
	trade 3 100000000000000.0003 1
	trade 4 -100000000000000.0002 1
	trade 4 -100000000000000.0003 1
	trade 5 0.0000000000000000000000000000000000000000000000000000000001 3
	trade 6 9223372036854775807 1000000000000000000
	trade 6 0.0001 1
	trade 7 1 1
} >"$T/lines"
bars_1s
# vwap S VALUE: the bar from S s has that vwap
vwap() {
	grep -q "\"start\":${1}000000000,.*\"vwap\":\"$2\"" "$T/out" ||
	    fail "bar from $1 s: vwap $2 expected: $(grep "\"start\":${1}000000000" "$T/out")"
}
vwap 1 1000000000000000.000
vwap 2 1234.123456789012345
vwap 3 100000000000000.0002
vwap 4 -100000000000000.0002
vwap 5 0.000000000000000000000000000000000000000000000000000000000100
grep -q '"reason":"deriver: bar of 1s from 6000000000 not emitted: its sum of price \* qty does not fit in 128 bits"' "$T/out" ||
    fail "the bar past 128 bits: $(grep -F status "$T/out")"
assert_eq "bars" 5 "$(grep -c '"type":"bar"' "$T/out")"
same_as_ref
exit 0
