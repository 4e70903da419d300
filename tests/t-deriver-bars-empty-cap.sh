#!/bin/sh
# t-deriver-bars-empty-cap: a record that ends a long silence writes at
# most 3600 empty bars at once, the open bar it closes among them if
# empty, and a status info says how many more were not (deriver(1)).
# Here a trade at 1 s, a book at 3 s (the empty bar of [2 s, 3 s)), a book
# at 5000 s: the bars of [3 s, 4 s) to [3602 s, 3603 s), 3600, then
# "1397 empty bars of 1s not emitted" (it wrote one more, 3601, before).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

{
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":1000000000,"recv":1000000000,"price":"100","qty":"1","side":"buy","tid":"x"}\n'
	book_line book_snapshot 3000 '[["99","1"]]' '[["101","1"]]'
	book_line book_snapshot 5000000 '[["99","1"]]' '[["101","1"]]'
} >"$T/lines"
feed_a
"$BIN/deriver" --ring "$A" --out "$D" --capacity 65536 --from oldest \
    --no-follow --bar 1s --no-quotes --no-xbest 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
derived >"$T/out"
assert_eq "empty bars written by the book at 5000 s" 3600 \
    "$(grep '"type":"bar"' "$T/out" | grep -c '"ts":5000000000000,.*"trades":0')"
grep -q '"start":3602000000000,"end":3603000000000,"trades":0' "$T/out" ||
    fail "no empty bar of [3602 s, 3603 s)"
! grep -q '"start":3603000000000' "$T/out" || fail "a bar of [3603 s, 3604 s)"
grep -q '"reason":"deriver: 1397 empty bars of 1s not emitted (more than 3600 at once)"' "$T/out" ||
    fail "no status of the bars not written: $(grep '"status"' "$T/out")"
