#!/bin/sh
# OKX v5 feed against a local mock exchange (TLS WebSocket and HTTPS REST
# /api/v5/market/books on the same port): a normal session through the
# documented seqId chain (update, empty keep-alive, reset after
# maintenance) from a WS snapshot; the REST sync when no WS snapshot comes
# (exact book; a REST snapshot older than the first buffered update is
# fetched again); a sequence break rebuilt from REST; reconnects;
# malformed messages.
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
# rest SEQ: a REST /api/v5/market/books answer with snapshot seqId SEQ
rest() {
	printf '{"code":"0","msg":"","data":[{"asks":[["8476.98","415","0","13"],["8477.5","1","0","1"]],"bids":[["8476.97","256","0","12"],["8476.90","1","0","1"]],"ts":"%s","seqId":%s}]}' \
	    "$((1597026383000 + $1))" "$1"
}
trade='send {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}'
ack='send {"id":"sub","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}'

run() {
	collector_start -v --url "okx=wss://127.0.0.1:$MOCK_PORT/ws/v5/public" \
	    --rest-url "okx=https://127.0.0.1:$MOCK_PORT" "$@" okx:BTC-USDT
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

# No WS snapshot: the first update (100,105) is buffered, the REST
# snapshot (seqId 103) is fetched, (105,108) arrives meanwhile; both are
# applied on top (the first overlaps: 100 <= 103 < 105) before the book is
# published; then a delta and a trade, exactly.
rest_session() {
	RING="${RING}_rest"
	{
		echo conn; echo expect 1; echo "$ack"
		books update 100 105 '[["8476.90","0","0","0"]]' '[["8477.00","2","0","1"]]'
		echo waitrest 1
		books update 105 108 '[["8476.95","5","0","2"]]' '[]'
		echo sleep 2
		books update 108 110 '[]' '[["8476.98","400","0","12"]]'
		echo "$trade"
		echo "rest 0.5 200 $(rest 103)"
	} >"$T/s5"
	mock_start "$T/s5"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "rest: no trade"
	collector_stop
	cat >"$T/want" <<EOF
{"type":"status","venue":"okx","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws/v5/public"}
{"type":"book_snapshot","venue":"okx","symbol":"BTC-USDT","vseq":108,"ts":1597026383108000000,"bids":[["8476.97","256"],["8476.95","5"]],"asks":[["8476.98","415"],["8477.00","2"],["8477.5","1"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":110,"ts":1597026383110000000,"bids":[],"asks":[["8476.98","400"]]}
{"type":"trade","venue":"okx","symbol":"BTC-USDT","vseq":130639474,"ts":1630048897897000000,"price":"42219.9","qty":"0.12060306","side":"buy","tid":"130639474"}
EOF
	ring_jsonl >"$T/got"
	diff "$T/want" "$T/got" >&2 || fail "rest: output differs"
	assert_eq "REST path" 1 "$(mock_count '^R1 GET /api/v5/market/books\?instId=BTC-USDT&sz=400$')"
	assert_eq "REST requests" 1 "$(mock_count '^R[0-9]+ GET')"
}

# The first REST snapshot (seqId 95) is older than the first buffered
# update's prevSeqId (100): fetched again; the second (110) drops (100,105)
# and (105,108) and lands inside (108,112).
rest_refetch() {
	RING="${RING}_refetch"
	{
		echo conn; echo expect 1
		books update 100 105 '[["8476.90","0","0","0"]]' '[["8477.00","2","0","1"]]'
		echo waitrest 1
		books update 105 108 '[["8476.95","5","0","2"]]' '[]'
		echo waitrest 2
		books update 108 112 '[["8476.50","3","0","1"]]' '[["8477.5","0","0","0"]]'
		echo sleep 2
		books update 112 113 '[]' '[["8479.00","1","0","1"]]'
		echo "$trade"
		echo "rest 1.0 200 $(rest 95)"
		echo "rest 1.0 200 $(rest 110)"
	} >"$T/s6"
	mock_start "$T/s6"
	run
	wait_for 30 ring_has '"type":"trade"' || fail "refetch: no trade"
	collector_stop
	assert_eq "REST requests" 2 "$(mock_count '^R[0-9]+ GET')"
	grep -q "snapshot seqId 95 older than first update's prevSeqId 100: refetching" \
	    "$T/collector.err" || fail "refetch: no refetch logged"
	grep -q 'okx: msgs .* refetches 1 ' "$T/collector.err" ||
	    fail "refetch: counters: $(grep 'okx: msgs' "$T/collector.err")"
	# (100,105) and (105,108) are inside the 110 snapshot: not applied
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"],["8476.50","3"]],"asks":[["8476.98","415"],["8479.00","1"]]}' \
	    "$(book_state okx BTC-USDT)"
	ring_has '"type":"book_snapshot".*"vseq":112,' || fail "refetch: snapshot not at 112"
	assert_eq "snapshots" 1 "$(ring_count '"type":"book_snapshot"')"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
}

# REST answers that fail (HTTP 500, then an OKX error code with HTTP 200)
# are logged, counted and retried; the third one syncs the book.
rest_errors() {
	RING="${RING}_resterr"
	{
		echo conn; echo expect 1
		books update 100 105 '[["8476.90","0","0","0"]]' '[]'
		echo "rest 0 500 {\"code\":\"50001\",\"msg\":\"Service temporarily unavailable\",\"data\":[]}"
		echo "rest 0 200 {\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}"
		echo "rest 0 200 $(rest 103)"
	} >"$T/s7"
	mock_start "$T/s7"
	run
	wait_for 30 ring_has '"type":"book_snapshot"' || fail "rest errors: no book"
	collector_stop
	assert_eq "REST requests" 3 "$(mock_count '^R[0-9]+ GET')"
	grep -q 'okx: BTC-USDT: REST snapshot: HTTP 500' "$T/collector.err" ||
	    fail "rest errors: HTTP 500 not logged"
	grep -q 'okx: msgs 1 data 1 malformed 1 ' "$T/collector.err" ||
	    fail "rest errors: counters: $(grep 'okx: msgs' "$T/collector.err")"
	assert_eq "book" '{"bids":[["8476.97","256"]],"asks":[["8476.98","415"],["8477.5","1"]]}' \
	    "$(book_state okx BTC-USDT)"
}

# In sync at 15 (WS snapshot), then prevSeqId 20: resync status, the
# breaking update is buffered, a REST snapshot (seqId 27, newer than it)
# rebuilds the book without resubscribing, and the next update (25,30)
# overlaps it (25 <= 27 < 30), whether it arrives before the REST answer
# (buffered) or after (live).
sequence_break() {
	RING="${RING}_gap"
	{
		echo conn; echo expect 1
		books snapshot -1 10 '[["9000.1","1","0","1"]]' '[["9000.2","2","0","1"]]'
		books update 10 15 '[["9000.0","1","0","1"]]' '[]'
		books update 20 25 '[["8476.40","1","0","1"]]' '[]'
		echo waitrest 1
		echo sleep 1
		books update 25 30 '[["8476.97","0","0","0"]]' '[["8476.99","7","0","1"]]'
		books update 30 31 '[["8476.10","1","0","1"]]' '[]'
		echo "$trade"
		echo "rest 0 200 $(rest 27)"
	} >"$T/s2"
	mock_start "$T/s2"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "gap: no trade"
	wait_for 20 ring_has '"vseq":31' || fail "gap: not rebuilt"
	collector_stop
	ring_has '"status":"resync","reason":"sequence break: book at seqId 15, update has prevSeqId 20"' ||
	    fail "gap: no resync status"
	assert_eq "resyncs" 1 "$(ring_count '"status":"resync"')"
	assert_eq "REST path" 1 "$(mock_count '^R1 GET /api/v5/market/books\?instId=BTC-USDT&sz=400$')"
	assert_eq "unsubscribe" 0 "$(mock_count 'recv .*"op":"unsubscribe"')"
	assert_eq "subscribe" 1 "$(mock_count 'recv .*"op":"subscribe"')"
	assert_eq "snapshots" 2 "$(ring_count '"type":"book_snapshot"')"
	assert_eq "book" '{"bids":[["8476.90","1"],["8476.10","1"]],"asks":[["8476.98","415"],["8476.99","7"],["8477.5","1"]]}' \
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

# A channel the collector did not subscribe to (books5) comes twice, with
# a tab (JSON white space) and a UTF-8 name in it: one line on stderr
# naming the venue and the kind, with the message's first 120 bytes
# (other than printable ASCII as \xHH, "..." as it is longer), and both
# counted as unknown; the book is untouched.
unknown_channel() {
	RING="${RING}_unknown"
	msg=$(printf '{"arg":{"channel":"books5",\t"instId":"BTC-USDT","name":"caf\303\251"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085"}]}')
	{
		echo conn; echo expect 1
		books snapshot -1 10 "$sb" "$sa"
		echo "send $msg"
		echo "send $msg"
		echo "$trade"
	} >"$T/s8"
	mock_start "$T/s8"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "unknown: no trade"
	collector_stop
	want=$(printf '%s' "$msg" | $PY -c '
import sys
b = sys.stdin.buffer.read()
e = "".join(chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c for c in b[:120])
print(e + ("..." if len(b) > 120 else ""))')
	assert_eq "said once" 1 "$(grep -c 'unknown kind' "$T/collector.err")"
	assert_eq "the line" "collector: okx: message of unknown kind \"books5\" skipped (said once, counted as unknown): $want" \
	    "$(grep 'unknown kind' "$T/collector.err")"
	grep -Eq 'okx: msgs 4 data 2 malformed 0 .* unknown 2$' "$T/collector.err" ||
	    fail "unknown: counters: $(grep 'okx: msgs' "$T/collector.err")"
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}' \
	    "$(book_state okx BTC-USDT)"
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
rest_session
rest_refetch
rest_errors
sequence_break
reconnects
malformed
unknown_channel
