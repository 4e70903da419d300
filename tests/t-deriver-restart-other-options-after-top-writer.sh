#!/bin/sh
# t-deriver-restart-other-options-after-top-writer: restarted on its
# output ring, which ends with a book_top, with other options than the
# run that wrote it (another --top), deriver(1) publishes what it
# derives from the input message after the one that wrote that top, and
# nothing of that message (deriver(1), Restarts): the other top it
# writes is not published.  The ring holds what the first run wrote,
# then the tops of one run with the new options past the first top's
# src_seq.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade MS: a sim BTC-USD trade at MS ms
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s000000,"recv":%s000000,"price":"10","qty":"1","side":"buy","tid":"x"}\n' \
	    "$1" "$1"
}
{
	book_line book_snapshot 1000 '[["10","1"]]' '[["11","1"]]'
	trade 1200	# seq 2: writes the top of seq 1, the last derived
} >"$T/first"
{
	book_line book_delta 1300 '[["10","2"]]' '[]'
	trade 1450	# writes the tops of seq 3
	trade 1500
} >"$T/second"
# derive OUT N OPTION...: the deriver from A into OUT, its standard
# error in $T/derive.N.err
derive() {
	_out=$1 _n=$2
	shift 2
	"$BIN/deriver" --ring "$A" --out "$_out" --no-follow --no-quotes \
	    --no-xbest --bar 1s "$@" 2>"$T/derive.$_n.err" ||
	    fail "deriver $_n: $(cat "$T/derive.$_n.err")"
}
lines() { "$BIN/shmreader" --ring "$1" --no-follow | sed 's/,"seq":[0-9]*,/,/'; }

cp "$T/first" "$T/lines"
feed_a
derive "$D" 1 --top 10:100
lines "$D" >"$T/first.out"
tail -n 1 "$T/first.out" | grep -q '^{"type":"book_top",.*"src_seq":1,' ||
    fail "the output does not end with the top of seq 1: $(cat "$T/first.out")"
cp "$T/second" "$T/lines"
feed_a
derive "$D" 2 --top 10:100 --top 5:100
lines "$D" >"$T/restarted"
A=$RING.b
cat "$T/first" "$T/second" >"$T/lines"
feed_a
derive "$RING.e" 3 --top 10:100 --top 5:100
lines "$RING.e" >"$T/once"
grep -q '"src_seq":1,.*"depth":5,' "$T/once" ||
    fail "one run writes no top of depth 5 of seq 1: $(cat "$T/once")"
grep -v '"src_seq":1,' "$T/once" >"$T/past"
[ -s "$T/past" ] || fail "nothing past seq 1: $(cat "$T/once")"
cat "$T/first.out" "$T/past" | cmp - "$T/restarted" >/dev/null ||
    fail "not the first run's lines and those past the top: $(cat "$T/first.out" "$T/past" | diff - "$T/restarted" | cut -c 1-160)"
exit 0
