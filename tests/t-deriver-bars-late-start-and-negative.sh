#!/bin/sh
# t-deriver-bars-late-start-and-negative: deriver(1) started after
# records it did not read (--from latest) writes no bar for the interval
# it started in, which would miss their trades, even when its first
# record is at the interval's very start (trades of that ts may come
# before it): a status info says so, and the bars after it are whole;
# from the ring's first record the same interval's bar is written whole.
# So too when the ring is replaced before the deriver read a record.
# Bars of trades at negative prices (tickpipe-json(5) decimals) are
# written, equal to the reference model (tests/deriver/ref.py), not
# withheld as sums that do not fit; prices of 20 digits, kept with a
# positive exponent, give a vwap of 4 decimals as any price without.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade SEC PRICE: a sim BTC-USD trade line at SEC (a decimal) seconds
trade() {
	ns=$(echo "$1" | awk '{ printf "%.0f", $1 * 1000 }')000000
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"%s","qty":"1","side":"buy","tid":"x"}\n' \
	    "$ns" "$ns" "$2"
}
bars() {	# RING: its bar and status lines, but seq
	"$BIN/shmreader" --ring "$1" --no-follow 2>/dev/null |
	    sed 's/,"seq":[0-9]*,/,/' | grep -e '"type":"bar"' -e '"type":"status"'
}

# late_run NAME [replace]: the lines in $T/lines into A, then a deriver
# from latest into D.NAME, then the lines in $T/lines2 (into a new ring
# A, the first removed, with replace); once it wrote the bar of
# [1001 s, 1002 s), it is stopped and its bars and statuses are in
# $T/NAME
late_run() {
	feed_a
	"$BIN/deriver" --ring "$A" --out "$D.$1" --from latest --bar 1s -d 3 \
	    3>"$T/ready.$1" 2>"$T/deriver.err" &
	dpid=$!
	track "$dpid"
	wait_for 10 test -s "$T/ready.$1" ||
	    fail "deriver not ready: $(cat "$T/deriver.err")"
	cp "$T/lines2" "$T/lines"
	[ "${2:-}" = replace ] && rm -f "/dev/shm/tickpipe.$A"
	feed_a
	wait_for 10 sh -c "'$BIN/shmreader' --ring '$D.$1' --no-follow 2>/dev/null | grep -q '\"start\":1001000000000'" ||
	    fail "$1: no bar of [1001 s, 1002 s): $(cat "$T/deriver.err")"
	kill -TERM "$dpid"
	wait "$dpid" || fail "deriver exited $?"
	bars "$D.$1" >"$T/$1"
}
unread='"status":"info","reason":"deriver: bar of 1s from 1000000000000 not emitted: it began before the first record read"'

# two trades of [1000 s, 1001 s), then the deriver from latest, then one
# more of that interval and the next bars' trades
{ trade 1000.1 100; trade 1000.2 101; } >"$T/lines"
{ trade 1000.5 102; trade 1001.2 103; trade 1002.1 104; } >"$T/lines2"
late_run late
assert_eq "late start: statuses" 1 "$(grep -c "$unread" "$T/late")"
grep '"type":"bar"' "$T/late" | grep -q '"start":1000000000000' &&
    fail "late start: the partial bar was written: $(cat "$T/late")"
grep -q '"start":1001000000000,"end":1002000000000,"trades":1,"open":"103"' "$T/late" ||
    fail "late start: no whole bar after it: $(cat "$T/late")"

# the same, the ring replaced before the deriver read a record: the new
# ring's first record has seq 1, which said nothing of the records
# skipped from the old one, and the bar was written with the one trade
# of the new ring (trades 1, open 102)
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
{ trade 1000.1 100; trade 1000.2 101; } >"$T/lines"
late_run replaced replace
assert_eq "replaced before the first read: statuses" 1 \
    "$(grep -c "$unread" "$T/replaced")"
grep '"type":"bar"' "$T/replaced" | grep -q '"start":1000000000000' &&
    fail "replaced before the first read: the partial bar was written: $(cat "$T/replaced")"
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
{ trade 1000.1 100; trade 1000.2 101; } >"$T/lines"
feed_a
{ trade 1000.5 102; trade 1001.2 103; trade 1002.1 104; } >"$T/lines"
feed_a

# from the first record: the same interval's bar, whole
"$BIN/deriver" --ring "$A" --out "$D.all" --from oldest --no-follow \
    --bar 1s 2>"$T/deriver.err" || fail "deriver: $(cat "$T/deriver.err")"
bars "$D.all" >"$T/all"
grep -q '"start":1000000000000,"end":1001000000000,"trades":3,"open":"100"' "$T/all" ||
    fail "from oldest: the first bar is not whole: $(cat "$T/all")"
grep -q '"type":"status"' "$T/all" && fail "from oldest: a status: $(cat "$T/all")"

# the first record read at the bar's very start: trades of that ts came
# before it (a sweep of several levels), so the bar is not written either
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
{ trade 1000 100; trade 1000 101; } >"$T/lines"
{ trade 1000 102; trade 1001.2 103; trade 1002.1 104; } >"$T/lines2"
late_run atstart
assert_eq "late start at the bar's start: statuses" 1 \
    "$(grep -c "$unread" "$T/atstart")"
grep '"type":"bar"' "$T/atstart" | grep -q '"start":1000000000000' &&
    fail "late start at the bar's start: the partial bar was written: $(cat "$T/atstart")"

# negative prices (and prices kept with a positive exponent, 20 digits:
# a vwap with 4 decimals all the same): the bars of the model
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
{ trade 1000 -1; trade 1001 -1.5; trade 1001.001 1; trade 1002 -0.00001
  trade 1002.001 0; trade 1003 -3; trade 1003.001 -2; trade 1004 5
  trade 1005 10000000000000000000; trade 1005.001 -10000000000000000000
  trade 1006 1; } >"$T/lines"
feed_a
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D.neg" --from oldest --no-follow \
    --bar 1s --no-quotes --no-xbest 2>"$T/deriver.err" ||
    fail "deriver: $(cat "$T/deriver.err")"
bars "$D.neg" >"$T/neg"
/usr/bin/python3 "$TESTS/deriver/ref.py" --bar 1000 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
assert_eq "negative: bars" 6 "$(grep -c '"type":"bar"' "$T/neg")"
grep -q '"start":1005000000000,.*"vwap":"0.0000"' "$T/neg" ||
    fail "20-digit prices: not a vwap of 4 decimals: $(grep 1005000000000 "$T/neg")"
cmp "$T/ref" "$T/neg" >/dev/null ||
    fail "negative: differs from the model: $(diff "$T/ref" "$T/neg" | head -n 4)"
exit 0
