#!/bin/sh
# OKX v5 feed against a local mock exchange: a normal session through the
# documented seqId chain (update, empty keep-alive, reset after
# maintenance), a sequence break, reconnects, malformed messages.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# books ACTION PREV SEQ BIDS ASKS
books() {
	printf 'send {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"%s","data":[{"asks":%s,"bids":%s,"ts":"%s","checksum":0,"prevSeqId":%s,"seqId":%s}]}\n' \
	    "$1" "$5" "$4" "$((1597026383000 + $3))" "$2" "$3"
}
sb='[["8476.97","256","0","12"],["8476.90","1","0","1"]]'
sa='[["8476.98","415","0","13"]]'
trade='send {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}'
ack='send {"id":"sub","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}'

run() {
	collector_start -v --url "okx=wss://127.0.0.1:$MOCK_PORT/ws/v5/public" \
	    "$@" okx:BTC-USDT
}

# snapshot (-1,10) -> (10,15) -> keep-alive (15,15) -> reset (15,3) ->
# (3,5): all accepted, as the venue documents.
normal_session() {
	{
		echo conn; echo expect 1; echo "$ack"
		books snapshot -1 10 "$sb" "$sa"
		books update 10 15 '[["8476.90","0","0","0"]]' '[["8477.00","2","0","1"]]'
		books update 15 15 '[]' '[]'
		books update 15 3 '[["8476.95","5","0","2"]]' '[]'
		books update 3 5 '[]' '[["8476.98","400","0","12"]]'
		echo "$trade"
	} >"$T/s1"
	mock_start "$T/s1"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "session: no trade"
	collector_stop
	cat >"$T/want" <<EOF
{"type":"status","venue":"okx","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws/v5/public"}
{"type":"book_snapshot","venue":"okx","symbol":"BTC-USDT","vseq":10,"ts":1597026383010000000,"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":15,"ts":1597026383015000000,"bids":[["8476.90","0"]],"asks":[["8477.00","2"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":3,"ts":1597026383003000000,"bids":[["8476.95","5"]],"asks":[]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":5,"ts":1597026383005000000,"bids":[],"asks":[["8476.98","400"]]}
{"type":"trade","venue":"okx","symbol":"BTC-USDT","vseq":130639474,"ts":1630048897897000000,"price":"42219.9","qty":"0.12060306","side":"buy","tid":"130639474"}
EOF
	ring_jsonl >"$T/got"
	diff "$T/want" "$T/got" >&2 || fail "session: output differs"
	assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"id":"sub","op":"subscribe","args":\[\{"channel":"books","instId":"BTC-USDT"\},\{"channel":"trades","instId":"BTC-USDT"\}\]\}$')"
}

# prevSeqId 20 after seqId 15: resync, books resubscribed, rebuilt.
sequence_break() {
	RING="${RING}_gap"
	{
		echo conn; echo expect 1
		books snapshot -1 10 "$sb" "$sa"
		books update 10 15 '[["8476.50","1","0","1"]]' '[]'
		books update 20 25 '[["8476.40","1","0","1"]]' '[]'
		books update 25 26 '[["8476.30","1","0","1"]]' '[]'
		echo expect 3
		books snapshot -1 100 '[["9000.1","1","0","1"]]' '[["9000.2","2","0","1"]]'
	} >"$T/s2"
	mock_start "$T/s2"
	run
	wait_for 20 ring_has '"vseq":100' || fail "gap: not rebuilt"
	collector_stop
	ring_has '"status":"resync","reason":"sequence break: book at seqId 15, update has prevSeqId 20"' ||
	    fail "gap: no resync status"
	assert_eq "unsubscribe" 1 "$(mock_count '^C1 recv \{"id":"unsub","op":"unsubscribe","args":\[\{"channel":"books","instId":"BTC-USDT"\}\]\}$')"
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
	assert_eq "book" '{"bids":[["9000.1","1"]],"asks":[["9000.2","2"]]}' \
	    "$(book_state okx BTC-USDT)"
}

reconnects() {
	RING="${RING}_rc"
	{
		echo conn; echo expect 1
		books snapshot -1 10 "$sb" "$sa"
		echo drop
		echo conn; echo expect 1
		books snapshot -1 10 "$sb" "$sa"
		echo 'repeat 30 0 pong'
		echo conn; echo expect 1
		books snapshot -1 300 "$sb" "$sa"
	} >"$T/s3"
	mock_start "$T/s3"
	run --watchdog 2
	wait_for 30 ring_has '"vseq":300' || fail "reconnect: no third session"
	collector_stop
	assert_eq "connections" 3 "$(mock_count '^C[0-9]+ open')"
	assert_eq "subscriptions" 3 "$(mock_count 'recv .*"op":"subscribe"')"
	assert_eq "connected records" 3 "$(ring_count '"status":"connected"')"
	assert_eq "watchdog" 1 "$(ring_count '"status":"disconnected","reason":"watchdog: no data for 2 s"')"
	assert_eq "disconnected records" 2 "$(ring_count '"status":"disconnected"')"
}

malformed() {
	RING="${RING}_bad"
	{
		echo conn; echo expect 1
		books snapshot -1 10 "$sb" "$sa"
		echo 'send {"event":"error","code":"60012","msg":"Invalid request"}'
		echo 'send {"arg":{"channel":"trades","instId":"ETH-USDT"},"data":[]}'
		echo 'send {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"px":"1"}]}'
		echo 'send nope'
		books update 10 11 '[["8476.50","1","0","1"]]' '[]'
		echo "$trade"
	} >"$T/s4"
	mock_start "$T/s4"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "malformed: no trade"
	collector_stop
	grep -q 'okx: msgs 7 data 4 malformed 4 ' "$T/collector.err" ||
	    fail "malformed: counters: $(grep 'okx: msgs' "$T/collector.err")"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
}

normal_session
sequence_break
reconnects
malformed
