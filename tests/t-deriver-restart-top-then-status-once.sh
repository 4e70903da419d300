#!/bin/sh
# t-deriver-restart-top-then-status-once: restarted on an output ring
# that ends with a book_top and a status after it, deriver(1) compares
# the status too when it derives the top again at the record that wrote
# it (deriver(1), Restarts): the status is not published again, and the
# output ring holds what one run on the whole input writes.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade SYMBOL MS QTY: a sim trade of SYMBOL at price 1 at MS ms
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"%s","ts":%s000000,"recv":%s000000,"price":"1","qty":"%s","side":"buy","tid":"x"}\n' \
	    "$1" "$2" "$2" "$3"
}
{
	book_line book_snapshot 1000 '[["10","1"]]' '[["11","1"]]'
	trade ETH-USD 1000 9223372036854775807
	trade ETH-USD 1000 1
	trade BTC-USD 1200 1	# writes the top of 1000's interval
	trade ETH-USD 2000 1	# a status: ETH-USD's bar does not fit
} >"$T/first"
{
	trade BTC-USD 2100 1
	trade ETH-USD 3000 1
} >"$T/second"
# derive OUT N: the deriver from A, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$A" --out "$1" --no-follow --top 10:100 \
	    --bar 1s --no-quotes --no-xbest 2>"$T/derive.$2.err" ||
	    fail "deriver $2: $(cat "$T/derive.$2.err")"
}
lines() { "$BIN/shmreader" --ring "$1" --no-follow | sed 's/,"seq":[0-9]*,/,/'; }

cp "$T/first" "$T/lines"
feed_a
derive "$D" 1
lines "$D" >"$T/first.out"
tail -n 2 "$T/first.out" | head -n 1 | grep -q '^{"type":"book_top",.*"src_seq":1,' ||
    fail "the top of seq 1 is not before the last line: $(cat "$T/first.out")"
tail -n 1 "$T/first.out" | grep -q '^{"type":"status",' ||
    fail "the output does not end with a status: $(cat "$T/first.out")"
cp "$T/second" "$T/lines"
feed_a
derive "$D" 2
lines "$D" >"$T/restarted"
cat "$T/first" "$T/second" >"$T/lines"
A=$RING.b
feed_a
derive "$RING.e" 3
lines "$RING.e" >"$T/once"
cmp "$T/once" "$T/restarted" >/dev/null ||
    fail "not what one run writes: $(diff "$T/once" "$T/restarted" | cut -c 1-160)"
exit 0
