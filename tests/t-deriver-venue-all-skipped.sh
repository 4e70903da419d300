#!/bin/sh
# t-deriver-venue-all-skipped: input records of venue "all", which
# tickpipe-ring(5) reserves for records derived across venues ("never a
# venue's own"), are skipped (deriver(1)): a book of "all" better than
# sim's made xbest say "bid_venue":"all", its trades made bars and its
# status a resync of nothing.  Here only sim's book and trade count;
# the 4 of "all" are counted: its trade and books as malformed
# (skipped), its status as reserved.
# The output equals the model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# rec VENUE TYPE S REST: a BTC-USD record of VENUE (id) at S s, for
# ringtool put: the collector writes no trade or book of "all" (9), an
# older one or another writer might
rec() {
	echo "type=$2 venue=$1 symbol=BTC-USD ts=${3}000000000 recv=${3}000000000 $4"
}
{
	rec 9 2 1 'flags=7 nbids=1 nasks=1 level=101:0:1:0 level=1015:-1:1:0'
	rec 1 2 1 'flags=7 nbids=1 nasks=1 level=1005:-1:1:0 level=102:0:2:0'
	rec 9 1 1 'price=100 qty=7 side=1 tid=a'
	rec 1 1 1 'price=100 qty=1 side=1 tid=b'
	rec 9 2 2 'flags=3 nbids=1 level=103:0:1:0'
	rec 9 3 2 'code=3 reason=x'
	rec 1 1 3 'price=100 qty=1 side=1 tid=c'
} | "$BIN/tests/ringtool" put "$A" --capacity 64 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
# shmreader skips the trade and books of all (3), which the model reads
# as the deriver must: as if they were not there
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
assert_eq "records of all shmreader skips" 3 \
    "$(grep -c 'record of venue all, which names records derived across venues: skipped' "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --no-follow -v --bar 1s --top 5:1000 \
    --stale 0 2>"$T/err" || fail "deriver: $(cat "$T/err")"
grep -q ' skipped 3 .* reserved 1 ' "$T/err" ||
    fail "not counted: $(cat "$T/err")"
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
