#!/bin/sh
# OKX v5 feed against a local mock exchange (TLS WebSocket and HTTPS REST
# /api/v5/market/books on the same port): a normal session through the
# documented seqId chain (update, empty keep-alive, reset after
# maintenance) from a WS snapshot; no WS snapshot and the REST body OKX
# documents (no seqId): the books channel is resubscribed and the WS
# snapshot builds the book, the REST levels are never published, and
# without a WS snapshot the resubscription is retried with a growing wait
# (no loop); a REST body with a seqId is aligned by it (fetched again when
# older than the first buffered update; a reset right after it); failed
# REST answers; a sequence break; reconnects; malformed messages; a
# channel not subscribed.
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
# The response example of GET /api/v5/market/books in OKX's API v5 docs
# (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book,
# "Response Example"; the documented response parameters are asks, bids
# and ts), white space removed.  It has no seqId.
rest_doc='{"code":"0","msg":"","data":[{"asks":[["41006.8","0.60038921","0","1"]],"bids":[["41006.3","0.30178218","0","2"]],"ts":"1629966436396"}]}'
# rest SEQ: the same answer with a seqId (see rest_seqid_refetch), SEQ
rest() {
	printf '{"code":"0","msg":"","data":[{"asks":[["8476.98","415","0","13"],["8477.5","1","0","1"]],"bids":[["8476.97","256","0","12"],["8476.90","1","0","1"]],"ts":"%s","seqId":%s}]}' \
	    "$((1597026383000 + $1))" "$1"
}
trade='send {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}'
ack='send {"id":"sub","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}'
unsub='^C1 recv \{"id":"unsub","op":"unsubscribe","args":\[\{"channel":"books","instId":"BTC-USDT"\}\]\}$'
resub='^C1 recv \{"id":"sub","op":"subscribe","args":\[\{"channel":"books","instId":"BTC-USDT"\}\]\}$'

# shellcheck disable=SC2120 # given arguments through collect_until
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
	collect_until 20 '"type":"trade"' "session: no trade" run
	ring_is session <<EOF
{"type":"status","venue":"okx","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws/v5/public"}
{"type":"book_snapshot","venue":"okx","symbol":"BTC-USDT","vseq":10,"ts":1597026383010000000,"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":15,"ts":1597026383015000000,"bids":[["8476.90","0"]],"asks":[["8477.00","2"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":3,"ts":1597026383003000000,"bids":[["8476.95","5"]],"asks":[]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":5,"ts":1597026383005000000,"bids":[],"asks":[["8476.98","400"]]}
{"type":"trade","venue":"okx","symbol":"BTC-USDT","vseq":130639474,"ts":1630048897897000000,"price":"42219.9","qty":"0.12060306","side":"buy","tid":"130639474"}
EOF
	assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"id":"sub","op":"subscribe","args":\[\{"channel":"books","instId":"BTC-USDT"\},\{"channel":"trades","instId":"BTC-USDT"\}\]\}$')"
}

# No WS snapshot: the first update (100,105) is buffered and the REST
# snapshot fetched; it is the documented body, without a seqId, so it
# cannot be placed in the chain: the books channel is unsubscribed and
# subscribed again, updates are ignored meanwhile, and the WS snapshot the
# venue then sends (seqId 200) builds the book; a delta and a trade
# follow, exactly.  Nothing of the REST levels is published.
rest_documented_body() {
	RING="${RING}_rest"
	{
		echo conn; echo expect 1; echo "$ack"
		books update 100 105 '[["8476.90","0","0","0"]]' '[["8477.00","2","0","1"]]'
		echo waitrest 1
		books update 105 108 '[["8476.95","5","0","2"]]' '[]'
		echo expect 3
		books update 108 110 '[["8476.96","5","0","2"]]' '[]'
		books snapshot -1 200 "$sb" "$sa"
		books update 200 201 '[]' '[["8476.98","400","0","12"]]'
		echo "$trade"
		echo "rest 0 200 $rest_doc"
	} >"$T/s5"
	mock_start "$T/s5"
	# a window of 2 asks the venue's whole 400 (its books channel keeps
	# 400 levels; a REST book of 2 would lose its depth as levels go)
	collect_until 20 '"type":"trade"' "rest: no trade" run --depth 2
	ring_is rest <<EOF
{"type":"status","venue":"okx","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws/v5/public"}
{"type":"book_snapshot","venue":"okx","symbol":"BTC-USDT","vseq":200,"ts":1597026383200000000,"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}
{"type":"book_delta","venue":"okx","symbol":"BTC-USDT","vseq":201,"ts":1597026383201000000,"bids":[],"asks":[["8476.98","400"]]}
{"type":"trade","venue":"okx","symbol":"BTC-USDT","vseq":130639474,"ts":1630048897897000000,"price":"42219.9","qty":"0.12060306","side":"buy","tid":"130639474"}
EOF
	assert_eq "REST path" 1 "$(mock_count '^R1 GET /api/v5/market/books\?instId=BTC-USDT&sz=400$')"
	assert_eq "REST requests" 1 "$(mock_count '^R[0-9]+ GET')"
	assert_eq "unsubscribe" 1 "$(mock_count "$unsub")"
	assert_eq "resubscribe" 1 "$(mock_count "$resub")"
	counters_match rest 'okx: msgs 7 data 6 malformed 0 resyncs 0 .* ignored [12] '
	grep -q 'BTC-USDT: the REST snapshot has no seqId: resubscribing books' \
	    "$T/collector.err" || fail "rest: the resubscription is not said"
}

# No WS snapshot ever: each REST answer is the documented body, updates
# keep coming.  One REST request and one resubscription, then updates are
# ignored for 5 s (no request every 2 s as a malformed answer would
# bring); then once more, said on stderr, with a 10 s wait.
# rest_requests N: the mock has had N REST requests or more.
rest_requests() {
	[ "$(mock_count '^R[0-9]+ GET')" -ge "$1" ]
}

rest_without_snapshot_retries() {
	RING="${RING}_norest"
	{
		echo conn; echo expect 1
		echo 'repeat 7 100 {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["8476.90","1","0","1"]],"ts":"1597026383000","checksum":0,"prevSeqId":@N@,"seqId":@N@}]}'
		echo "rest 0 200 $rest_doc"
	} >"$T/s9"
	mock_start "$T/s9"
	run
	wait_for 20 rest_requests 2 || fail "norest: no second try"
	sleep 3		# past the 7 s of updates
	collector_stop
	assert_eq "REST requests" 2 "$(mock_count '^R[0-9]+ GET')"
	assert_eq "unsubscribes" 2 "$(mock_count "$unsub")"
	assert_eq "resubscribes" 2 "$(mock_count "$resub")"
	assert_eq "retry said" 1 "$(grep -c 'BTC-USDT: the REST snapshot has no seqId and no WebSocket snapshot came: resubscribing books for a WebSocket snapshot (waiting 10 s)' "$T/collector.err")"
	if grep -q 'bad REST snapshot' "$T/collector.err"; then
		fail "norest: the documented body called malformed"
	fi
	assert_eq "books" 0 "$(ring_count '"type":"book_')"
}

# A REST body with a seqId (105): the buffered (100,105) is inside it; the
# reset (105,3) right after it is kept (its prevSeqId is the snapshot's,
# though its seqId is lower) and (3,5) follows; the book is published at
# 5 and the live (5,8) applies.
rest_seqid_reset() {
	RING="${RING}_reset"
	{
		echo conn; echo expect 1
		books update 100 105 '[["8476.90","0","0","0"]]' '[]'
		books update 105 3 '[["8476.50","3","0","1"]]' '[]'
		books update 3 5 '[]' '[["8479.00","1","0","1"]]'
		echo waitrest 1
		echo sleep 1
		books update 5 8 '[["8476.50","0","0","0"]]' '[]'
		echo "$trade"
		echo "rest 0.5 200 $(rest 105)"
	} >"$T/s10"
	mock_start "$T/s10"
	collect_until 20 '"type":"trade"' "reset: no trade" run
	ring_has '"type":"book_snapshot".*"vseq":5,' || fail "reset: snapshot not at 5"
	ring_has '"type":"book_delta".*"vseq":8,' || fail "reset: (5,8) not applied"
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"],["8477.5","1"],["8479.00","1"]]}' \
	    "$(book_state okx BTC-USDT)"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
}

# A REST body with a seqId, as OKX's changelog has it for when the WS
# snapshot goes away: the first (seqId 95) is older than the first
# buffered update's prevSeqId (100): fetched again; the second (110) drops
# (100,105) and (105,108) and lands inside (108,112).
rest_seqid_refetch() {
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
	collect_until 30 '"type":"trade"' "refetch: no trade" run
	assert_eq "REST requests" 2 "$(mock_count '^R[0-9]+ GET')"
	grep -q "snapshot seqId 95 older than first update's prevSeqId 100: refetching" \
	    "$T/collector.err" || fail "refetch: no refetch logged"
	counters_match refetch 'okx: msgs .* refetches 1 '
	# (100,105) and (105,108) are inside the 110 snapshot: not applied
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"],["8476.50","3"]],"asks":[["8476.98","415"],["8479.00","1"]]}' \
	    "$(book_state okx BTC-USDT)"
	ring_has '"type":"book_snapshot".*"vseq":112,' || fail "refetch: snapshot not at 112"
	assert_eq "snapshots" 1 "$(ring_count '"type":"book_snapshot"')"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
}

# REST answers that fail (HTTP 500, then an OKX error code with HTTP 200)
# are logged, counted and retried 2 s later; the third is the documented
# body: the channel is resubscribed and the WS snapshot builds the book.
rest_errors() {
	RING="${RING}_resterr"
	{
		echo conn; echo expect 1
		books update 100 105 '[["8476.90","0","0","0"]]' '[]'
		echo expect 3
		books snapshot -1 200 "$sb" "$sa"
		echo "rest 0 500 {\"code\":\"50001\",\"msg\":\"Service temporarily unavailable\",\"data\":[]}"
		echo "rest 0 200 {\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}"
		echo "rest 0 200 $rest_doc"
	} >"$T/s7"
	mock_start "$T/s7"
	collect_until 30 '"type":"book_snapshot"' "rest errors: no book" run
	assert_eq "REST requests" 3 "$(mock_count '^R[0-9]+ GET')"
	grep -q 'okx: BTC-USDT: REST snapshot: HTTP 500' "$T/collector.err" ||
	    fail "rest errors: HTTP 500 not logged"
	counters_match "rest errors" 'okx: msgs 2 data 2 malformed 1 '
	assert_eq "unsubscribe" 1 "$(mock_count "$unsub")"
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}' \
	    "$(book_state okx BTC-USDT)"
}

# In sync at 15 (WS snapshot), then prevSeqId 20: resync status, the
# breaking update is buffered and the REST snapshot fetched; it is the
# documented body (no seqId): the books channel is resubscribed and the
# WS snapshot (seqId 40) rebuilds the book, which (40,41) continues.
sequence_break() {
	RING="${RING}_gap"
	{
		echo conn; echo expect 1
		books snapshot -1 10 '[["9000.1","1","0","1"]]' '[["9000.2","2","0","1"]]'
		books update 10 15 '[["9000.0","1","0","1"]]' '[]'
		books update 20 25 '[["8476.40","1","0","1"]]' '[]'
		echo expect 3
		books snapshot -1 40 "$sb" "$sa"
		books update 40 41 '[["8476.10","1","0","1"]]' '[]'
		echo "$trade"
		echo "rest 0 200 $rest_doc"
	} >"$T/s2"
	mock_start "$T/s2"
	collect_until 20 '"type":"trade"' "gap: no trade" run
	ring_has '"status":"resync","reason":"sequence break: book at seqId 15, update has prevSeqId 20"' ||
	    fail "gap: no resync status"
	assert_eq "resyncs" 1 "$(ring_count '"status":"resync"')"
	assert_eq "REST path" 1 "$(mock_count '^R1 GET /api/v5/market/books\?instId=BTC-USDT&sz=400$')"
	assert_eq "unsubscribe" 1 "$(mock_count "$unsub")"
	assert_eq "resubscribe" 1 "$(mock_count "$resub")"
	assert_eq "snapshots" 2 "$(ring_count '"type":"book_snapshot"')"
	ring_has '"type":"book_delta".*"vseq":41,' || fail "gap: (40,41) not applied"
	assert_eq "book" '{"bids":[["8476.97","256"],["8476.90","1"],["8476.10","1"]],"asks":[["8476.98","415"]]}' \
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
	collect_until 30 '"vseq":300' "reconnect: no third session" \
	    run --watchdog 2
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
	collect_until 20 '"type":"trade"' "unknown: no trade" run
	want=$(printf '%s' "$msg" | $PY -c '
import sys
b = sys.stdin.buffer.read()
e = "".join(chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c for c in b[:120])
print(e + ("..." if len(b) > 120 else ""))')
	assert_eq "said once" 1 "$(grep -c 'unknown kind' "$T/collector.err")"
	assert_eq "the line" "collector: okx: message of unknown kind \"books5\" skipped (said once, counted as unknown): $want" \
	    "$(grep 'unknown kind' "$T/collector.err")"
	counters_match unknown 'okx: msgs 4 data 2 malformed 0 .* unknown 2$'
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
	malformed_run "$T/s4" 'okx: msgs 7 data 4 malformed 4 '
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
}

normal_session
rest_documented_body
rest_without_snapshot_retries
rest_seqid_refetch
rest_seqid_reset
rest_errors
sequence_break
reconnects
malformed
unknown_channel
