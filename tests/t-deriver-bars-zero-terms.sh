#!/bin/sh
# t-deriver-bars-zero-terms: a bar's sums are exact whatever exponents
# their terms carry: a trade of quantity 0 written with 40 decimals, and
# a price of 40 decimals, add nothing a sum cannot hold (deriver(1):
# sums are exact; volumes are stored with the finest exponent, trailing
# zeros moved into the exponent as the mantissa needs).  Before, each
# sum was aligned to the finest exponent by scaling it by 10^40 first,
# which overflowed: "bar ... not emitted: its volumes do not fit".  The
# bars equal the reference model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

z40=0.0000000000000000000000000000000000000000
p40=0.0000000000000000000000000000000000000001
{
	trade_line 1000 "$p40" 1 buy
	trade_line 1000 100 "$z40" sell
	trade_line 1001 100 2 buy
	trade_line 1001 100 "$z40" buy
	trade_line 1002 1 1 buy
} >"$T/lines"
feed_a
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --no-follow --bar 1s --no-quotes \
    --no-xbest 2>"$T/err" || fail "deriver: $(cat "$T/err")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
grep -q 'not emitted' "$T/out" && fail "a bar withheld: $(grep 'not emitted' "$T/out")"
assert_eq "bars" 2 "$(grep -c '"type":"bar"' "$T/out")"
grep -q '"start":1000000000000,.*"trades":2,.*"volume":"1\.0\{18\}",' "$T/out" ||
    fail "first bar: $(grep 1000000000000 "$T/out")"
/usr/bin/python3 "$TESTS/deriver/ref.py" --bar 1000 <"$T/in.jsonl" \
    >"$T/ref" || fail "ref.py failed"
cmp "$T/ref" "$T/out" >/dev/null ||
    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4)"
exit 0
