#!/bin/sh
# t-deriver-bars-volume-exact: a bar's volumes are stored whenever they
# can be exactly (deriver(1)): a sum whose mantissa does not fit with the
# finest exponent of its quantities has its trailing zeros moved into the
# exponent, as a record stores any decimal (tickpipe-json(5)).  Two
# trades of "5000000000000000000" in one bar give a volume of
# "10000000000000000000" (the bar was dropped, "its sums do not fit"), as
# one trade of it does; "922337203685477580.7" and "...580.3" give
# "1844674407370955161".  A sum that cannot be stored, 2^63, is still
# not written, and said.  The output equals the model's
# (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # A, D: read by dv.sh
{ A=$RING.a; D=$RING.d; }
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade S QTY SIDE: a sim BTC-USD trade of price 1 at S s
trade() { trade_line "$1" 1 "$2" "$3"; }
{
	trade 1 5000000000000000000 buy
	trade 1 5000000000000000000 buy
	trade 2 10000000000000000000 sell
	trade 3 922337203685477580.7 buy
	trade 3 922337203685477580.3 buy
	trade 4 9223372036854775807 buy
	trade 4 1 buy
	trade 5 1 buy
} >"$T/lines"
bars_1s
grep -q '"start":1000000000,.*"volume":"10000000000000000000","buy_volume":"10000000000000000000","sell_volume":"0","vwap":"1.0000"' "$T/out" ||
    fail "the bar of two 5*10^18: $(head -n 2 "$T/out")"
grep -q '"start":2000000000,.*"volume":"10000000000000000000","buy_volume":"0","sell_volume":"10000000000000000000"' "$T/out" ||
    fail "the bar of one 10^19: $(grep -F '"start":2000000000' "$T/out")"
grep -q '"start":3000000000,.*"volume":"1844674407370955161",' "$T/out" ||
    fail "the bar of 1844674407370955161.0: $(grep -F '"start":3000000000' "$T/out")"
grep -q '"reason":"deriver: bar of 1s from 4000000000 not emitted: its volumes do not fit"' "$T/out" ||
    fail "the bar of 2^63 said: $(grep -F status "$T/out")"
assert_eq "bars" 3 "$(grep -c '"type":"bar"' "$T/out")"
same_as_ref
exit 0
