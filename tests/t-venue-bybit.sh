#!/bin/sh
# Bybit v5 spot feed against a local mock exchange: a normal session, an
# update id gap, the u=1 restart snapshot, reconnects, malformed messages,
# a book message without the venue's time, periodic snapshots of changed
# books only, a message longer than 64 MiB.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# book TYPE U BIDS ASKS
book() {
	printf 'send {"topic":"orderbook.50.BTCUSDT","ts":1672304484978,"type":"%s","data":{"s":"BTCUSDT","b":%s,"a":%s,"u":%s,"seq":7961638724},"cts":%s}\n' \
	    "$1" "$3" "$4" "$2" "$((1672304484000 + $2))"
}
snap='[["16493.50","0.006"],["16493.00","1.000"]]'
snapa='[["16611.00","0.029"],["16612.00","2"]]'
trade='send {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}'
ack='send {"success":true,"ret_msg":"subscribe","conn_id":"2324d924","req_id":"subscribe","op":"subscribe"}'

run() {
	collector_start -v --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" \
	    "$@" bybit:BTC-USDT
}

normal_session() {
	{
		echo conn; echo expect 1; echo "$ack"
		book snapshot 100 "$snap" "$snapa"
		book delta 101 '[["16493.50","0"],["16494.00","0.5"]]' '[]'
		echo "$trade"
	} >"$T/s1"
	mock_start "$T/s1"
	collect_until 20 '"type":"trade"' "session: no trade" run
	ring_is session <<EOF
{"type":"status","venue":"bybit","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/v5/public/spot"}
{"type":"book_snapshot","venue":"bybit","symbol":"BTC-USDT","vseq":100,"ts":1672304484100000000,"bids":[["16493.50","0.006"],["16493.00","1.000"]],"asks":[["16611.00","0.029"],["16612.00","2"]]}
{"type":"book_delta","venue":"bybit","symbol":"BTC-USDT","vseq":101,"ts":1672304484101000000,"bids":[["16494.00","0.5"],["16493.50","0"]],"asks":[]}
{"type":"trade","venue":"bybit","symbol":"BTC-USDT","vseq":1783284617,"ts":1672304486865000000,"price":"16578.50","qty":"0.001","side":"buy","tid":"20f43950-d8dd-5b31-9112-a178eb6023af"}
EOF
	assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"req_id":"subscribe","op":"subscribe","args":\["orderbook.50.BTCUSDT","publicTrade.BTCUSDT"\]\}$')"
}

# u 101 -> 103: resync, the topic resubscribed, rebuilt from the snapshot;
# a duplicate (u 101 again) before it is ignored.
gap() {
	RING="${RING}_gap"
	{
		echo conn; echo expect 1
		book snapshot 100 "$snap" "$snapa"
		book delta 101 '[["16494.00","0.5"]]' '[]'
		book delta 101 '[["16000.00","0.5"]]' '[]'
		book delta 103 '[["16495.00","0.5"]]' '[]'
		echo expect 3
		book snapshot 500 '[["17000.00","1"]]' '[["17001.00","1"]]'
	} >"$T/s2"
	mock_start "$T/s2"
	collect_until 20 '"vseq":500' "gap: not rebuilt" run
	ring_has '"status":"resync","reason":"update id gap: book at 101, got 103"' ||
	    fail "gap: no resync status"
	assert_eq "unsubscribe" 1 "$(mock_count '^C1 recv \{"req_id":"unsubscribe","op":"unsubscribe","args":\["orderbook.50.BTCUSDT"\]\}$')"
	assert_eq "resubscribe" 1 "$(mock_count '^C1 recv \{"req_id":"subscribe","op":"subscribe","args":\["orderbook.50.BTCUSDT"\]\}$')"
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
	assert_eq "book" '{"bids":[["17000.00","1"]],"asks":[["17001.00","1"]]}' \
	    "$(book_state bybit BTC-USDT)"
}

# u = 1 (the venue restarted): the message replaces the book, and the
# deltas after it continue from 1; no resync.
restart_u1() {
	RING="${RING}_u1"
	{
		echo conn; echo expect 1
		book snapshot 100 "$snap" "$snapa"
		book delta 1 '[["15000.00","1"]]' '[["15001.00","1"]]'
		book delta 2 '[["15000.50","2"]]' '[]'
	} >"$T/s3"
	mock_start "$T/s3"
	collect_until 20 '"vseq":2,' "u1: no update 2" run
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "snapshots" 2 "$(ring_count '"type":"book_snapshot"')"
	assert_eq "book" '{"bids":[["15000.50","2"],["15000.00","1"]],"asks":[["15001.00","1"]]}' \
	    "$(book_state bybit BTC-USDT)"
}

reconnects() {
	RING="${RING}_rc"
	{
		echo conn; echo expect 1
		book snapshot 100 "$snap" "$snapa"
		echo close
		echo conn; echo expect 1
		book snapshot 100 "$snap" "$snapa"
		echo 'repeat 30 0 {"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}'
		echo conn; echo expect 1
		book snapshot 300 "$snap" "$snapa"
	} >"$T/s4"
	mock_start "$T/s4"
	collect_until 30 '"vseq":300' "reconnect: no third session" \
	    run --watchdog 2
	assert_eq "connections" 3 "$(mock_count '^C[0-9]+ open')"
	assert_eq "subscriptions" 3 "$(mock_count 'recv .*"op":"subscribe"')"
	assert_eq "connected records" 3 "$(ring_count '"status":"connected"')"
	ring_has '"status":"disconnected","reason":"closed by peer \(code 1000\)"' ||
	    fail "reconnect: no close status"
	assert_eq "watchdog" 1 "$(ring_count '"status":"disconnected","reason":"watchdog: no data for 2 s"')"
}

malformed() {
	RING="${RING}_bad"
	{
		echo conn; echo expect 1
		book snapshot 100 "$snap" "$snapa"
		echo 'send {"topic":"orderbook.50.BTCUSDT","type":"delta","data":{"s":"BTCUSDT"}}'
		echo 'send {"topic":"orderbook.50.BTCUSDT","data":{"s":"BTCUSDT","u":101}}'
		echo 'send {"topic":"publicTrade.BTCUSDT","data":[{"s":"BTCUSDT"}]}'
		echo 'send {"success":false,"ret_msg":"error:handler not found","op":"subscribe"}'
		echo 'send }{'
		book delta 101 '[["16494.00","0.5"]]' '[]'
		echo "$trade"
	} >"$T/s5"
	malformed_run "$T/s5" 'bybit: msgs 8 data 6 malformed 5 .* unknown 0$'
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
}

# A book message without the venue's time ("ts", "cts") is stamped with
# its receive time, not 0 (collector(1) VENUES).
no_time() {
	RING="${RING}_nots"
	{
		echo conn; echo expect 1; echo "$ack"
		echo 'send {"topic":"orderbook.50.BTCUSDT","type":"snapshot","data":{"s":"BTCUSDT","b":[["1","1"]],"a":[["2","1"]],"u":5,"seq":1}}'
		echo "$trade"
	} >"$T/s5"
	mock_start "$T/s5"
	collect_until 20 '"type":"trade"' "no time: no trade" run
	"$BIN/shmreader" --ring "$RING" --no-follow >"$T/nots" ||
	    fail "no time: shmreader failed"
	grep '"type":"book_snapshot"' "$T/nots" | /usr/bin/python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
sys.exit(0 if o["ts"] == o["recv"] > 0 else "no time: ts %d, recv %d" % (o["ts"], o["recv"]))' ||
	    fail "no time: the snapshot is not stamped with its receive time"
}

# --snapshot-interval: only a book changed since its last snapshot is
# published again (collector(1)): none while the book rests, one after
# a delta.
periodic() {
	RING="${RING}_per"
	{
		echo conn; echo expect 1; echo "$ack"
		book snapshot 100 "$snap" "$snapa"
		echo sleep 1.6
		book delta 101 '[["16494.00","0.5"]]' '[]'
		echo sleep 1.2
		echo "$trade"
	} >"$T/s6"
	mock_start "$T/s6"
	collect_until 20 '"type":"trade"' "periodic: no trade" \
	    run --snapshot-interval 500
	assert_eq "periodic: snapshots" 2 "$(ring_count '"type":"book_snapshot"')"
	ring_has '"type":"book_snapshot".*"vseq":101,.*"16494.00","0.5"' ||
	    fail "periodic: no snapshot after the delta"
}

# A message longer than 64 MiB is refused: the connection is closed with
# 1009 and the disconnected status says why (collector(1)), then the
# collector reconnects.
too_long() {
	RING="${RING}_long"
	{
		echo conn; echo expect 1; echo "$ack"
		book snapshot 100 "$snap" "$snapa"
		/usr/bin/python3 -c 'import sys
sys.stdout.write("send {\"topic\":\"orderbook.50.BTCUSDT\",\"x\":\"" + "x" * (64 << 20) + "\"}\n")'
		echo conn; echo expect 1; echo "$ack"
		book snapshot 200 "$snap" "$snapa"
	} >"$T/s7"
	mock_start "$T/s7"
	collect_until 60 '"vseq":200' "too long: no second session" run
	rm -f "$T/s7"
	ring_has '"status":"disconnected","reason":"a message longer than 64 MiB refused \(closed with 1009\)"' ||
	    fail "too long: $(grep disconnected "$T/ring.norm")"
}

normal_session
gap
restart_u1
reconnects
malformed
no_time
periodic
too_long
