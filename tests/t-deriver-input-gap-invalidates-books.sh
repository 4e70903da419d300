#!/bin/sh
# t-deriver-input-gap-invalidates-books: when deriver(1) is lapped on its
# input ring, it says so (a status resync of venue all naming the records
# lost), leaves every book out of xbest as resyncing, writes no quote
# from deltas it cannot apply to a known book, and derives again from
# the next snapshot.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# line SEC TYPE BIDS ASKS: a sim BTC-USD book line at SEC s
line() { book_line "$2" "$(($1 * 1000))" "$3" "$4"; }

line 100 book_snapshot '[["10","1"]]' '[["11","1"]]' >"$T/lines"
feed_a 16
"$BIN/deriver" --ring "$A" --out "$D" --stale 0 2>"$T/deriver.err" &
dpid=$!
track "$dpid"
wait_for 10 sh -c "'$BIN/shmreader' --ring '$D' --no-follow 2>/dev/null | grep -q '\"type\":\"quote\"'" ||
    fail "no first quote: $(cat "$T/deriver.err")"
# stopped, the deriver is lapped by 40 deltas on a ring of 16
kill -STOP "$dpid"
i=0
while [ "$i" -lt 40 ]; do
	line $((101 + i)) book_delta "[[\"9.$i\",\"1\"]]" '[]'
	i=$((i + 1))
done >"$T/lines"
feed_a 16
kill -CONT "$dpid"
wait_for 10 sh -c "'$BIN/shmreader' --ring '$D' --no-follow 2>/dev/null | grep -q '\"status\":\"resync\"'" ||
    fail "no status for the gap: $(cat "$T/deriver.err")"
# a delta after the gap: the book is unknown, no quote from it
line 200 book_delta '[["12","5"]]' '[]' >"$T/lines"
feed_a 16
line 201 book_snapshot '[["10.5","2"]]' '[["11","3"]]' >"$T/lines"
feed_a 16
wait_for 10 sh -c "'$BIN/shmreader' --ring '$D' --no-follow 2>/dev/null | grep -q '\"bid\":\"10.5\"'" ||
    fail "no quote after the snapshot"
kill -TERM "$dpid"
derived >"$T/d.jsonl"

grep -q '"type":"status","venue":"all","seq":[0-9]*,"vseq":0,"ts":[0-9]*,"recv":[0-9]*,"status":"resync","reason":"deriver: input gap, [1-9][0-9]* records lost from seq [0-9]*: books invalid until their next snapshot' "$T/d.jsonl" ||
    fail "no resync status naming the loss: $(grep status "$T/d.jsonl")"
grep -q 'input gap: [1-9][0-9]* records lost' "$T/deriver.err" ||
    fail "the gap not said on stderr"
sed -n '/"status":"resync"/,$p' "$T/d.jsonl" >"$T/after"
sed -n 2p "$T/after" | grep -q '"type":"xbest".*"bid":null.*"venues":\[\],"excluded":\[{"venue":"sim","why":"resync"}\]' ||
    fail "xbest after the gap does not leave sim out: $(sed -n 2p "$T/after")"
assert_eq "quotes after the gap" \
    '"bid":"10.5","bid_qty":"2","ask":"11","ask_qty":"3"}' \
    "$(grep '"type":"quote"' "$T/after" | sed 's/.*"bid":/"bid":/')"
! grep -q '"12"' "$T/d.jsonl" || fail "a delta after the gap was applied"
exit 0
