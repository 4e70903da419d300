#!/bin/sh
# t-deriver-top-unchanged: "a book that does not change writes nothing"
# (deriver(1)): a delta that removes a level the book does not have, an
# empty delta, one that sets a level as it is, and a snapshot of the
# book as it is (it wrote a top) write no top-N book, no quote, and do
# not make the venue fresh; one written otherwise ("100.50" for "100.5")
# is a change, and so is a snapshot that makes an invalid book valid,
# whatever it holds.  The output equals the model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# line TYPE MS BIDS ASKS: a sim BTC-USD book line at 1000 s + MS ms
line() { book_line "$1" "$((1000000 + $2))" "$3" "$4"; }
{
	line book_snapshot 0 '[["100.5","1"],["100","2"]]' '[["101","1"]]'
	line book_delta 200 '[["99","0"]]' '[]'
	line book_delta 400 '[]' '[]'
	line book_delta 600 '[["100.5","1"]]' '[]'
	line book_delta 800 '[["100.50","1"]]' '[]'
	line book_delta 1200 '[]' '[["103","1"]]'
	line book_delta 1400 '[]' '[["103","0"]]'
	line book_snapshot 1600 '[["100.50","1"],["100","2"]]' '[["101","1"]]'
	line book_delta 1800 '[]' '[]'
	printf '{"type":"status","venue":"sim","symbol":"BTC-USD","ts":1001900000000,"recv":1001900000000,"status":"resync","reason":"x"}\n'
	line book_snapshot 2000 '[["100.50","1"],["100","2"]]' '[["101","1"]]'
	line book_delta 2200 '[]' '[]'
} >"$T/lines"
feed_a
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --from oldest --no-follow \
    --top 2:100 --stale 0 2>"$T/err" || fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$D" --no-follow 2>/dev/null |
    sed 's/,"seq":[0-9]*,/,/' >"$T/out"
/usr/bin/python3 "$TESTS/deriver/ref.py" --top 2:100 --stale 0 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
# tops of [0, 100 ms) (the snapshot), [800, 900) ("100.50"), [1200, 1300),
# [1400, 1500), none of [1600, 1700) (the same snapshot), one of
# [2000, 2100) (after the resync)
assert_eq "tops" 5 "$(grep -c '"type":"book_top"' "$T/out")"
! grep -q '"type":"book_top",.*"ts":1001600000000,' "$T/out" ||
    fail "the snapshot of the book as it is wrote a top"
assert_eq "quotes" 3 "$(grep -c '"type":"quote"' "$T/out")"
cmp "$T/ref" "$T/out" >/dev/null ||
    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4)"
exit 0
