#!/bin/sh
# t-deriver-xbest-excludes-resync-and-stale: across sim, sim2 and sim3
# quoting BTC-USD, xbest takes the best bid and ask with their venues,
# says crossed and locked markets, leaves out a venue from its resync
# status until its next snapshot (ignoring its deltas meanwhile), one
# whose book has not changed for --stale ms of record time (looked at
# after a trade of a venue with no book too), and one disconnected,
# each with why; and the top-N books follow record time.
# Everything is checked against tests/deriver/ref.py, and the key facts
# once more by name.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

# book VENUE TYPE SEC BIDS ASKS: a book line at SEC seconds (ts = recv)
book() {
	printf '{"type":"%s","venue":"%s","symbol":"BTC-USD","ts":%s000000000,"recv":%s000000000,"bids":%s,"asks":%s}\n' \
	    "$2" "$1" "$3" "$3" "$4" "$5"
}
status() {
	printf '{"type":"status","venue":"%s","symbol":"BTC-USD","ts":%s000000000,"recv":%s000000000,"status":"%s","reason":"test"}\n' \
	    "$1" "$3" "$3" "$2"
}
{
	book sim book_snapshot 1000 '[["100.00","1"],["99.00","2"]]' '[["101.00","1"]]'
	book sim2 book_snapshot 1001 '[["100.5","2"]]' '[["101.5","1"]]'
	book sim3 book_snapshot 1002 '[["99"," 1"]]' '[["100.4","3"]]' | tr -d ' '
	status sim2 resync 1003
	book sim2 book_delta 1004 '[["200","9"]]' '[]'
	book sim book_delta 1005 '[["100.40","1"]]' '[]'
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":1006000000000,"recv":1006000000000,"price":"100.40","qty":"0.5","side":"sell","tid":"t1"}\n'
	book sim book_delta 1010 '[["100.40","0"]]' '[["100.90","4"]]'
	book sim2 book_snapshot 1011 '[["100.6","1"]]' '[["100.9","2"]]'
	status sim disconnected 1012
	book sim3 book_delta 1013 '[["99.5","1"]]' '[]'
	printf '{"type":"trade","venue":"kraken","symbol":"BTC-USD","ts":1020000000000,"recv":1020000000000,"price":"100.50","qty":"1","side":"buy","tid":"k1"}\n'
} >"$T/in.jsonl"

"$BIN/collector" --ring "$RING.a" --capacity 1024 jsonl --strict \
    <"$T/in.jsonl" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.a" --no-follow >"$T/a.jsonl" || fail "shmreader"
"$BIN/deriver" --ring "$RING.a" --out "$RING.d" --capacity 1024 --no-follow \
    --stale 5000 --top 2:2000 --bar 1s 2>"$T/err" || fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.d" --no-follow | sed 's/,"seq":[0-9]*,/,/' \
    >"$T/out.jsonl" || fail "shmreader D"
/usr/bin/python3 "$TESTS/deriver/ref.py" --stale 5000 --top 2:2000 --bar 1000 \
    <"$T/a.jsonl" >"$T/ref.jsonl" || fail "ref.py"
cmp "$T/ref.jsonl" "$T/out.jsonl" ||
    fail "deriver differs from the model: $(diff "$T/ref.jsonl" \
    "$T/out.jsonl" | head -n 4 | cut -c 1-300)"

grep '"type":"xbest"' "$T/out.jsonl" | sed 's/.*"bid":/"bid":/' >"$T/x"
# the third snapshot: best bid on sim2, best ask on sim3, crossed
grep -qx '"bid":"100.5","bid_qty":"2","bid_venue":"sim2","ask":"100.4","ask_qty":"3","ask_venue":"sim3","state":"crossed","venues":\["sim","sim2","sim3"\],"excluded":\[\]}' "$T/x" ||
    fail "no crossed xbest across three venues"
# sim2 resyncing: out, and its delta at 200 is not taken
grep -q '"bid":"100.00".*"excluded":\[{"venue":"sim2","why":"resync"}\]' "$T/x" ||
    fail "sim2 not excluded while resyncing"
! grep -q '"bid":"200"' "$T/out.jsonl" || fail "a delta of a resyncing book was used"
# sim raises its bid to the ask of sim3... at 100.40 = 100.4: locked
grep -q '"bid":"100.40","bid_qty":"1","bid_venue":"sim".*"state":"locked"' "$T/x" ||
    fail "no locked xbest"
# at 1010 s sim3 has not changed for 8 s (> 5000 ms): stale
grep -q '"excluded":\[{"venue":"sim2","why":"resync"},{"venue":"sim3","why":"stale"}\]' "$T/x" ||
    fail "sim3 not excluded as stale"
# sim2's snapshot brings it back; sim's disconnection takes sim out
grep -q '"venues":\["sim2"\],"excluded":\[{"venue":"sim","why":"disconnected"},{"venue":"sim3","why":"stale"}\]' "$T/x" ||
    fail "sim not excluded as disconnected"
# sim3 changes: no longer stale
grep -q '"venues":\["sim2","sim3"\],"excluded":\[{"venue":"sim","why":"disconnected"}\]' "$T/x" ||
    fail "sim3 not back after its change: $(tail -n 1 "$T/x")"
# a trade of a venue with no book, 7 s later: xbest looks again (after
# every trade of the symbol), and sim2 and sim3 are stale
grep '"type":"xbest"' "$T/out.jsonl" | tail -n 1 | grep -q '"ts":1020000000000,.*"venues":\[\],"excluded":\[{"venue":"sim","why":"disconnected"},{"venue":"sim2","why":"stale"},{"venue":"sim3","why":"stale"}\]' ||
    fail "no xbest after kraken's trade: $(grep '"type":"xbest"' "$T/out.jsonl" | tail -n 1)"
# top-2 every 2 s of record time while the book changes
grep -q '"type":"book_top","venue":"sim","symbol":"BTC-USD","src_seq":[0-9]*,"ts":1005000000000,.*"depth":2,"interval_ms":2000,"bids":\[\["100.40","1"\],\["100.00","1"\]\],"asks":\[\["101.00","1"\]\]' "$T/out.jsonl" ||
    fail "no top-2 of sim as of 1005 s"
# the bar of [1006 s, 1007 s) closed by the record at 1010 s
grep -q '"type":"bar","venue":"sim".*"ts":1010000000000,.*"start":1006000000000,"end":1007000000000,"trades":1,"open":"100.40","high":"100.40","low":"100.40","close":"100.40","volume":"0.5","buy_volume":"0","sell_volume":"0.5","vwap":"100.400000"' "$T/out.jsonl" ||
    fail "no bar of the trade at 1006 s"
grep -q '"start":1007000000000,"end":1008000000000,"trades":0,"open":null' "$T/out.jsonl" ||
    fail "no empty bar for 1007 s"
exit 0
