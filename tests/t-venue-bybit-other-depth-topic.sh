#!/bin/sh
# Bybit: book frames of another depth's topic for a subscribed symbol are
# not applied (collector(1) VENUES).  Each orderbook.{depth} is its own
# stream with its own snapshots and update ids: on an orderbook.50
# subscription an orderbook.200 snapshot, an orderbook.200 delta whose u
# continues the orderbook.50 book's, and orderbook.1 snapshots leave the
# book and the ring as the orderbook.50 frames alone make them; they are
# counted as unknown and each topic is said once on standard error.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# book DEPTH TYPE U BIDS ASKS
book() {
	printf 'send {"topic":"orderbook.%s.BTCUSDT","ts":1672304484978,"type":"%s","data":{"s":"BTCUSDT","b":%s,"a":%s,"u":%s,"seq":7961638724},"cts":%s}\n' \
	    "$1" "$2" "$4" "$5" "$3" "$((1672304484000 + $3))"
}
trade='send {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}'
ack='send {"success":true,"ret_msg":"subscribe","conn_id":"2324d924","req_id":"subscribe","op":"subscribe"}'

{
	echo conn; echo expect 1; echo "$ack"
	book 50 snapshot 100 '[["16493.50","0.006"],["16493.00","1.000"]]' \
	    '[["16611.00","0.029"],["16612.00","2"]]'
	book 200 snapshot 5000 '[["16490.00","9"]]' '[["16620.00","9"]]'
	book 200 delta 101 '[["16493.50","0"],["16000.00","7"]]' '[]'
	book 1 snapshot 7 '[["16493.50","3"]]' '[["16611.00","3"]]'
	book 1 snapshot 7 '[["16493.50","3"]]' '[["16611.00","3"]]'
	book 50 delta 101 '[["16493.50","0"],["16494.00","0.5"]]' '[]'
	echo "$trade"
} >"$T/s1"
mock_start "$T/s1"
collect_until 20 '"type":"trade"' "no trade" \
    collector_start -v --depth 50 \
    --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" bybit:BTC-USDT
assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"req_id":"subscribe","op":"subscribe","args":\["orderbook.50.BTCUSDT","publicTrade.BTCUSDT"\]\}$')"
ring_is "the orderbook.50 frames alone" <<EOF2
{"type":"status","venue":"bybit","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/v5/public/spot"}
{"type":"book_snapshot","venue":"bybit","symbol":"BTC-USDT","vseq":100,"ts":1672304484100000000,"bids":[["16493.50","0.006"],["16493.00","1.000"]],"asks":[["16611.00","0.029"],["16612.00","2"]]}
{"type":"book_delta","venue":"bybit","symbol":"BTC-USDT","vseq":101,"ts":1672304484101000000,"bids":[["16494.00","0.5"],["16493.50","0"]],"asks":[]}
{"type":"trade","venue":"bybit","symbol":"BTC-USDT","vseq":1783284617,"ts":1672304486865000000,"price":"16578.50","qty":"0.001","side":"buy","tid":"20f43950-d8dd-5b31-9112-a178eb6023af"}
EOF2
counters_match "other depths" 'bybit: msgs 8 data 3 malformed 0 .* unknown 4$'
for t in orderbook.200.BTCUSDT orderbook.1.BTCUSDT; do
	assert_eq "$t said" 1 "$(grep -c "^collector: bybit: message of unsubscribed topic \"$t\" skipped (said once, counted as unknown): {\"topic\":\"$t\"" "$T/collector.err")"
done
