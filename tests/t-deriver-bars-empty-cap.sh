#!/bin/sh
# t-deriver-bars-empty-cap: a record that ends a long silence writes at
# most 3600 empty bars at once, the open bar it closes among them if
# empty, and a status info says how many more were not (deriver(1)).
# Here a trade at 1 s, a book at 3 s (the empty bar of [2 s, 3 s)), a book
# at 5000 s: the bars of [3 s, 4 s) to [3602 s, 3603 s), 3600, then
# "1397 empty bars of 1s not emitted" (it wrote one more, 3601, before).
# A bar that began within its interval of the last representable time
# (tickpipe-json(5) allows any int64 ts) never ends: a record at that
# last time writes no bar and no status (its end overflowed: 7202 bars
# shmreader could not print, "-3600 empty bars ... not emitted").
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

# trades at 9223372036.854775 s, then a book at the last ns
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
"$BIN/shmreader" --ring "$D" --unlink 2>/dev/null
{
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":9223372036854775000,"recv":9223372036854775000,"price":"100","qty":"1","side":"buy","tid":"x"}\n'
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":9223372036854775001,"recv":9223372036854775001,"price":"101","qty":"1","side":"buy","tid":"y"}\n'
	printf '{"type":"book_snapshot","venue":"sim","symbol":"BTC-USD","ts":9223372036854775807,"recv":9223372036854775807,"bids":[["99","1"]],"asks":[["101","1"]]}\n'
} >"$T/lines"
feed_a
"$BIN/deriver" --ring "$A" --out "$D" --from oldest --no-follow --bar 1s \
    --no-quotes --no-xbest 2>"$T/err" || fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$D" --no-follow >"$T/out" 2>"$T/sr.err"
[ ! -s "$T/sr.err" ] || fail "the last ts: shmreader: $(head -n 3 "$T/sr.err")"
! grep -q -e '"type":"bar"' -e '"type":"status"' "$T/out" ||
    fail "the last ts: $(head -n 3 "$T/out")"
