#!/bin/sh
# The published --depth window of a venue book (collector(1) --depth),
# through a Coinbase session on the mock exchange with --depth 3: the
# snapshot publishes the top 3 a side and says the book is deeper; a level
# removed at the top pulls level 4 into the window in the same delta; a
# better level pushes the third out as a removal; updates outside the
# window publish nothing but are kept, and come in when the window
# reaches them; the counter says it; changes too many for one message come
# as a snapshot of the window; --depth out of range is a usage error.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

env='"client_id":"","timestamp":"2023-02-09T20:32:50Z"'
# lv SIDE PRICE QTY: one level of an l2_data event
lv() {
	printf '{"side":"%s","event_time":"2023-02-09T20:32:50Z","price_level":"%s","new_quantity":"%s"}' "$1" "$2" "$3"
}
# l2 SEQ TYPE LEVELS...: one l2_data message of BTC-USD
l2() {
	_seq=$1 _type=$2
	shift 2
	_ups=$(printf '%s,' "$@")
	printf 'send {"channel":"l2_data",%s,"sequence_num":%s,"events":[{"type":"%s","product_id":"BTC-USD","updates":[%s]}]}\n' \
	    "$env" "$_seq" "$_type" "${_ups%,}"
}

window_session() {
	{
		echo conn
		echo expect 3
		l2 1 snapshot "$(lv bid 100.00 1)" "$(lv bid 99.00 2)" \
		    "$(lv bid 98.00 3)" "$(lv bid 97.00 4)" "$(lv bid 96.00 5)" \
		    "$(lv offer 101.00 1)" "$(lv offer 102.00 2)" \
		    "$(lv offer 103.00 3)" "$(lv offer 104.00 4)" \
		    "$(lv offer 105.00 5)"
		# the best bid goes: 97.00 comes into the window
		l2 2 update "$(lv bid 100.00 0)"
		# outside the window only: nothing to publish
		l2 3 update "$(lv offer 105.00 9)" "$(lv bid 95.00 1)"
		# a better ask pushes 103.00 out
		l2 4 update "$(lv offer 100.50 7)"
		# 97.00 goes, 96.00 (outside) too: 95.00, kept unpublished, comes in
		l2 5 update "$(lv bid 96.00 0)" "$(lv bid 97.00 0)"
		echo "send {\"channel\":\"market_trades\",$env,\"sequence_num\":6,\"events\":[{\"type\":\"update\",\"trades\":[{\"trade_id\":\"9\",\"product_id\":\"BTC-USD\",\"price\":\"100.50\",\"size\":\"1\",\"side\":\"SELL\",\"time\":\"2023-02-09T20:32:51Z\"}]}]}"
	} >"$T/s1"
	mock_start "$T/s1"
	collect_until 20 '"type":"trade"' "window: no trade" \
	    collector_start -v --depth 3 \
	    --url "coinbase=wss://127.0.0.1:$MOCK_PORT" coinbase:BTC-USD
	ring_is window <<EOF
{"type":"status","venue":"coinbase","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"status","venue":"coinbase","symbol":"BTC-USD","vseq":0,"status":"info","reason":"book deeper than --depth 3: 5 bids, 5 asks; publishing the top 3"}
{"type":"book_snapshot","venue":"coinbase","symbol":"BTC-USD","vseq":1,"ts":1675974770000000000,"bids":[["100.00","1"],["99.00","2"],["98.00","3"]],"asks":[["101.00","1"],["102.00","2"],["103.00","3"]]}
{"type":"book_delta","venue":"coinbase","symbol":"BTC-USD","vseq":2,"ts":1675974770000000000,"bids":[["100.00","0"],["97.00","4"]],"asks":[]}
{"type":"book_delta","venue":"coinbase","symbol":"BTC-USD","vseq":4,"ts":1675974770000000000,"bids":[],"asks":[["100.50","7"],["103.00","0"]]}
{"type":"book_delta","venue":"coinbase","symbol":"BTC-USD","vseq":5,"ts":1675974770000000000,"bids":[["97.00","0"],["95.00","1"]],"asks":[]}
{"type":"trade","venue":"coinbase","symbol":"BTC-USD","vseq":6,"ts":1675974771000000000,"price":"100.50","qty":"1","side":"buy","tid":"9"}
EOF
	assert_eq "book" '{"bids":[["99.00","2"],["98.00","3"],["95.00","1"]],"asks":[["100.50","7"],["101.00","1"],["102.00","2"]]}' \
	    "$(book_state coinbase BTC-USD)"
	counters_match window 'counters: .* truncated 1 '
}

# A delta whose window changes do not fit one book message (every level
# of both sides replaced at --depth 5000: 20000 changes) comes as a
# snapshot of the window, with the venue message's sequence.
oversized_change_set() {
	rm -f /dev/shm/tickpipe."$RING"
	$PY - "$env" >"$T/s2" <<'EOF'
import sys
env = sys.argv[1]
def book(base, bq, aq):
    return ([("bid", base - i, bq) for i in range(5000)] +
            [("offer", base + 1 + i, aq) for i in range(5000)])
def msg(seq, typ, levels):
    ups = ",".join('{"side":"%s","event_time":"2023-02-09T20:32:50Z",'
                   '"price_level":"%d.00","new_quantity":"%s"}' % l
                   for l in levels)
    return ('send {"channel":"l2_data",%s,"sequence_num":%d,"events":'
            '[{"type":"%s","product_id":"BTC-USD","updates":[%s]}]}'
            % (env, seq, typ, ups))
print("conn\nexpect 3")
print(msg(1, "snapshot", book(50000, "1", "2")))
print(msg(2, "update", book(50000, "0", "0") + book(70000, "1", "2")))
EOF
	mock_start "$T/s2"
	collect_until 20 '"vseq":2' "oversized: no second message" \
	    collector_start --depth 5000 \
	    --url "coinbase=wss://127.0.0.1:$MOCK_PORT" coinbase:BTC-USD
	assert_eq "messages" 'book_snapshot 1 5000 5000
book_snapshot 2 5000 5000' "$(ring_jsonl | $PY -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["type"].startswith("book"):
        print(o["type"], o["vseq"], len(o["bids"]), len(o["asks"]))')"
	assert_eq "best levels" '["70000.00","1"] ["70001.00","2"]' \
	    "$(book_state coinbase BTC-USD | $PY -c '
import json, sys
b = json.load(sys.stdin)
print(json.dumps(b["bids"][0], separators=(",", ":")),
      json.dumps(b["asks"][0], separators=(",", ":")))')"
}

# --depth must be 1 to 5000.
depth_out_of_range() {
	for d in 0 5001 x; do
		"$BIN/collector" --ring "${RING}_u" --depth "$d" coinbase \
		    >/dev/null 2>"$T/usage.err"
		assert_eq "--depth $d exit status" 64 "$?"
		grep -q 'depth.*must be 1 to 5000' "$T/usage.err" ||
		    fail "--depth $d: $(cat "$T/usage.err")"
	done
}

window_session
oversized_change_set
depth_out_of_range
