#!/bin/sh
# t-deriver-ts-ahead-taken-at-recv: a trade whose ts is more than 60 s
# past its recv (a venue's clock is never that far ahead; here 230 years)
# is derived as if its ts were its recv (deriver(1), Bars): it counts in
# the bar of its recv, and the later trades make their bars as before,
# said once by a status info, counted as "ahead".  Before, it closed the
# open bar, wrote 3600 empty ones and skipped to its own interval; every
# later trade then counted as late in that far bar, and no bar was
# written again.  The bars equal the reference model's
# (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

far=9000000000000000000
{
	trade_line 1000 100 1 buy
	trade_line 1001 101 1 buy
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":1001500000000,"price":"102","qty":"2","side":"sell","tid":"y"}\n' "$far"
	trade_line 1002 103 1 buy
	trade_line 1003 104 1 sell
	trade_line 1004 105 1 buy
} >"$T/lines"
feed_a
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" -v --ring "$A" --out "$D" --no-follow --bar 1s --no-quotes \
    --no-xbest 2>"$T/derr" || fail "deriver: $(cat "$T/derr")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
assert_eq "bars" 4 "$(grep -c '"type":"bar"' "$T/out")"
grep -q '"start":1001000000000,.*"trades":2,' "$T/out" ||
    fail "the bar of its recv: $(grep '"start":1001000000000' "$T/out")"
for s in 1002 1003; do
	grep -q "\"start\":${s}000000000,.*\"trades\":1," "$T/out" ||
	    fail "bar $s after it: $(grep -c '"type":"bar"' "$T/out") bars, $(head -c 300 "$T/out")"
done
assert_eq "statuses saying so" 1 "$(grep -c '"reason":"deriver: ts 9000000000000000000 more than 60 s past its recv: taken at its recv, 1 records so far"' "$T/out")"
grep -q ' late 0 ahead 1 ' "$T/derr" ||
    fail "counters: $(grep counters "$T/derr")"
same_as_ref
exit 0
