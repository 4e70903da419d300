#!/bin/sh
# t-deriver-venue-all-skipped: input records of venue "all", which
# tickpipe-ring(5) reserves for records derived across venues ("never a
# venue's own"), are skipped (deriver(1)): a book of "all" better than
# sim's made xbest say "bid_venue":"all", its trades made bars and its
# status a resync of nothing.  Here only sim's book and trade count;
# the 4 of "all" are counted (reserved, with -v).
# The output equals the model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# rec VENUE TYPE S REST: a BTC-USD record of VENUE at S s
rec() {
	printf '{"type":"%s","venue":"%s","symbol":"BTC-USD","ts":%s000000000,"recv":%s000000000,%s}\n' \
	    "$2" "$1" "$3" "$3" "$4"
}
{
	rec all book_snapshot 1 '"bids":[["101","1"]],"asks":[["101.5","1"]]'
	rec sim book_snapshot 1 '"bids":[["100.5","1"]],"asks":[["102","2"]]'
	rec all trade 1 '"price":"100","qty":"7","side":"buy","tid":"a"'
	rec sim trade 1 '"price":"100","qty":"1","side":"buy","tid":"b"'
	rec all book_delta 2 '"bids":[["103","1"]],"asks":[]'
	rec all status 2 '"status":"resync","reason":"x"'
	rec sim trade 3 '"price":"100","qty":"1","side":"buy","tid":"c"'
} >"$T/lines"
feed_a
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --no-follow -v --bar 1s --top 5:1000 \
    --stale 0 2>"$T/err" || fail "deriver: $(cat "$T/err")"
grep -q ' reserved 4 ' "$T/err" || fail "not counted: $(cat "$T/err")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
! grep -q -e '_venue":"all"' -e '"venues":\["all"' "$T/out" ||
    fail "venue all derived: $(grep -F '"all"' "$T/out" | head -n 2)"
! grep -q -e '"type":"quote","venue":"all"' -e '"type":"bar","venue":"all"' \
    -e '"type":"book_top","venue":"all"' "$T/out" ||
    fail "a record of venue all derived: $(grep -F '"venue":"all"' "$T/out" | head -n 2)"
grep -q '"type":"bar","venue":"sim",.*"trades":1,.*"volume":"1"' "$T/out" ||
    fail "no bar of sim's one trade: $(grep -F '"bar"' "$T/out")"
assert_eq "xbest" 1 "$(grep -c '"type":"xbest","venue":"all",.*"bid":"100.5",.*"bid_venue":"sim"' "$T/out")"
/usr/bin/python3 "$TESTS/deriver/ref.py" --top 5:1000 --bar 1000 --stale 0 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
cmp "$T/ref" "$T/out" >/dev/null ||
    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4)"
exit 0
