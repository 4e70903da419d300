#!/bin/sh
# t-deriver-restart-last-top-once: a book_top is written by the record
# after its src_seq, the next trade of its venue and symbol in a later
# interval (deriver(1), Top-N books): restarted on an output ring that
# ends with one, deriver(1) does not publish it again when it derives
# that trade again (deriver(1), Restarts); what follows is published,
# and the output ring holds what one run on the whole input writes.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade MS PRICE: a sim BTC-USD trade at MS ms
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s000000,"recv":%s000000,"price":"%s","qty":"1","side":"buy","tid":"x"}\n' \
	    "$1" "$1" "$2"
}
{
	book_line book_snapshot 1000 '[["10","1"]]' '[["11","1"]]'
	book_line book_delta 1050 '[["10","2"]]' '[]'
	trade 1200 10.5		# writes the top of 1050's interval
} >"$T/first"
{
	trade 1250 10.6
	book_line book_delta 1300 '[["10","3"]]' '[]'
	trade 1450 10.7
	trade 2100 10.8
} >"$T/second"
# derive IN OUT N: the deriver, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$1" --out "$2" --no-follow --stale 0 \
	    2>"$T/derive.$3.err" || fail "deriver $3: $(cat "$T/derive.$3.err")"
}
lines() { "$BIN/shmreader" --ring "$1" --no-follow | sed 's/,"seq":[0-9]*,/,/'; }

cp "$T/first" "$T/lines"
feed_a
derive "$A" "$D" 1
lines "$D" | tail -n 1 | grep -q '^{"type":"book_top",.*"src_seq":2,' ||
    fail "the output does not end with the top of seq 2: $(lines "$D")"
cp "$T/second" "$T/lines"
feed_a
derive "$A" "$D" 2
lines "$D" >"$T/restarted"
cat "$T/first" "$T/second" >"$T/lines"
A=$RING.b
feed_a
derive "$A" "$RING.e" 3
lines "$RING.e" >"$T/once"
grep -q '"type":"bar"' "$T/once" || fail "no bar: $(cat "$T/once")"
cmp "$T/once" "$T/restarted" >/dev/null ||
    fail "not what one run writes: $(diff "$T/once" "$T/restarted" | cut -c 1-160)"
exit 0
