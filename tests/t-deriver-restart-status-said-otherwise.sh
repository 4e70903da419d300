#!/bin/sh
# t-deriver-restart-status-said-otherwise: restarted on an output ring
# whose last derived record is followed by statuses, on an input that
# has wrapped meanwhile but still holds that record's src_seq, the
# deriver says one of those statuses again otherwise (a count of the
# records before it, which it no longer reads): that is the ring's say
# of it, compared on, not a new record (deriver(1), Restarts).  Before:
# the status said otherwise was published, and with it the rest of its
# input message, the statuses after it that the ring already held
# written a second time.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade SYMBOL TS_MS RECV_MS QTY: a sim trade at price 1
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"%s","ts":%s000000,"recv":%s000000,"price":"1","qty":"%s","side":"buy","tid":"x"}\n' \
	    "$1" "$2" "$3" "$4"
}
# derive N: the deriver, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$A" --out "$D" --no-follow --bar 1m \
	    --no-quotes --no-xbest 2>"$T/derive.$1.err" ||
	    fail "deriver $1: $(cat "$T/derive.$1.err")"
}

{
	trade SOL-USD 100000 1000 1		# 1: ahead, the first said
	trade ETH-USD 1000 1000 1
	trade BTC-USD 1000 1000 1
	trade ETH-USD 61000 61000 9223372036854775807
	trade ETH-USD 61000 61000 1		# ETH's bar from 60 s overflows
	trade BTC-USD 61000 61000 1
	trade BTC-USD 121000 121000 1		# 7: BTC's bar from 60 s
	# 8: ahead, "2 records so far", and ETH's bar from 60 s not emitted
	trade ETH-USD 200000 122000 1
} >"$T/lines"
feed_a 16
derive 1
derived | sed 's/"seq":[0-9]*,//' >"$T/first"
tail -n 3 "$T/first" | head -n 1 | grep -q '^{"type":"bar",.*"src_seq":7,' ||
    fail "not the bar of seq 7 before the last two lines: $(cat "$T/first")"
tail -n 2 "$T/first" | head -n 1 | grep -q '"reason":"deriver: ts .* 2 records so far"' ||
    fail "not the ahead status: $(cat "$T/first")"
# seqs 9 to 17: the ring of 16 then holds 2 to 17, and seq 1 no more
i=0
while [ "$i" -lt 8 ]; do
	trade XRP-USD "$((130000 + i))" "$((130000 + i))" 1
	i=$((i + 1))
done >"$T/lines"
trade BTC-USD 181000 181000 1 >>"$T/lines"	# 17: BTC's bar from 120 s
feed_a 16
derive 2
grep -q "^deriver: ring $D holds what was derived up to input seq 7: " \
    "$T/derive.2.err" || fail "not continued: $(cat "$T/derive.2.err")"
derived | sed 's/"seq":[0-9]*,//' >"$T/both"
head -n "$(wc -l <"$T/first")" "$T/both" | cmp - "$T/first" >/dev/null ||
    fail "the first run's lines changed: $(cat "$T/both")"
tail -n "+$(($(wc -l <"$T/first") + 1))" "$T/both" >"$T/after"
assert_eq "lines after the first run's" 1 "$(wc -l <"$T/after")"
grep -q '^{"type":"bar",.*"src_seq":17,.*"start":120000000000,' "$T/after" ||
    fail "not the bar from 120 s: $(cat "$T/after")"
exit 0
