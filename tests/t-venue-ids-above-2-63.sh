#!/bin/sh
# A venue id or sequence number above 2^63 - 1, which no record may carry
# (tickpipe-json(5)), is malformed where it is read (collector(1)
# VENUES): a Binance depth event's u, trade id t and REST lastUpdateId,
# a Bybit u, a Coinbase sequence_num, an OKX REST seqId; the good
# messages around them are published, and a reader of the ring skips
# nothing.  An optional trade id (Bybit's seq, OKX's tradeId) above it
# leaves the trade's vseq 0, as one that is no integer does.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

BIG=9223372036854775808		# 2^63
HUGE=18446744073709551615	# 2^64 - 1

# read_clean WHAT: shmreader read the whole ring (ring_norm) skipping
# nothing
read_clean() {
	ring_norm
	! grep -q skipped "$T/ring.err" ||
	    fail "$1: a reader skipped records: $(cat "$T/ring.err")"
}

binance() {
	RING="${RING}_bn"
	depth() {
		printf 'send {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782000,"s":"BTCUSDT","U":%s,"u":%s,"b":%s,"a":[]}}\n' \
		    "$1" "$2" "$3"
	}
	trade() {
		printf 'send {"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":%s,"p":"16500.01","q":"0.001","T":1672515782136,"m":true}}\n' \
		    "$1"
	}
	snap() {
		printf '{"lastUpdateId":%s,"bids":[["16500.00","1.0"]],"asks":[["16500.01","0.5"]]}' \
		    "$1"
	}
	{
		echo conn
		depth 100 "$BIG" '[["16400.00","9.0"]]'
		depth 100 102 '[["16499.00","2.0"]]'
		echo waitrest 2
		echo sleep 0.5
		trade "$BIG"
		trade "$HUGE"
		depth 103 103 '[["16499.50","3.0"]]'
		trade 12345
		echo "rest 0 200 $(snap "\"$HUGE\"")"
		echo "rest 0 200 $(snap 101)"
	} >"$T/bn"
	mock_start "$T/bn"
	collect_until 20 '"type":"trade"' "binance: no trade (lastUpdateId 2^64 - 1 taken, not fetched again?)" \
	    collector_start -v --url "binance=wss://127.0.0.1:$MOCK_PORT" \
	    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" binance:BTC-USDT
	read_clean binance
	ring_is binance <<EOF2
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":102,"ts":1672515782000000000,"bids":[["16500.00","1.0"],["16499.00","2.0"]],"asks":[["16500.01","0.5"]]}
{"type":"book_delta","venue":"binance","symbol":"BTC-USDT","vseq":103,"ts":1672515782000000000,"vfirst":103,"bids":[["16499.50","3.0"]],"asks":[]}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":12345,"ts":1672515782136000000,"price":"16500.01","qty":"0.001","side":"sell","tid":"12345"}
EOF2
	counters_match binance 'binance: msgs 6 data 6 malformed 4 '
}

bybit() {
	RING="${RING}_by"
	book() {
		printf 'send {"topic":"orderbook.50.BTCUSDT","ts":1672304484978,"type":"snapshot","data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","%s"]],"u":%s,"seq":1}}\n' \
		    "$1" "$2"
	}
	{
		echo conn; echo expect 1
		book 1 "$BIG"
		book 2 100
		echo "send {\"topic\":\"publicTrade.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304486868,\"data\":[{\"T\":1672304486865,\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.001\",\"p\":\"16578.50\",\"i\":\"t1\",\"seq\":$HUGE}]}"
	} >"$T/by"
	mock_start "$T/by"
	collect_until 20 '"type":"trade"' "bybit: no trade read (its vseq 2^64 - 1 skipped by the reader?)" \
	    collector_start -v \
	    --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" bybit:BTC-USDT
	read_clean bybit
	ring_is bybit <<EOF2
{"type":"status","venue":"bybit","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/v5/public/spot"}
{"type":"book_snapshot","venue":"bybit","symbol":"BTC-USDT","vseq":100,"ts":1672304484978000000,"bids":[["16493.50","0.006"]],"asks":[["16611.00","2"]]}
{"type":"trade","venue":"bybit","symbol":"BTC-USDT","vseq":0,"ts":1672304486865000000,"price":"16578.50","qty":"0.001","side":"buy","tid":"t1"}
EOF2
	counters_match bybit 'bybit: msgs 3 data 3 malformed 1 '
}

coinbase() {
	RING="${RING}_cb"
	env='"client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z"'
	snap='"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.5"},{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21921.74","new_quantity":"0.02"}]}]'
	# trade TID
	trade() {
		printf '"events":[{"type":"update","trades":[{"trade_id":"%s","product_id":"BTC-USD","price":"21921.80","size":"0.001","side":"BUY","time":"2023-02-09T20:32:51.4Z"}]}]' "$1"
	}
	cat >"$T/cb" <<EOF2
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap}
send {"channel":"market_trades",$env,"sequence_num":$BIG,$(trade 7)}
send {"channel":"market_trades",$env,"sequence_num":2,$(trade 8)}
EOF2
	mock_start "$T/cb"
	collect_until 20 '"type":"trade"' "coinbase: no trade" \
	    collector_start -v --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	read_clean coinbase
	assert_eq "coinbase resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "coinbase trades" 1 "$(ring_count '"type":"trade".*"tid":"8"')"
	counters_match coinbase 'coinbase: msgs 3 data 2 malformed 1 '
}

# The update (10,15) is buffered; the REST snapshot's seqId 2^64 - 1 is
# malformed: fetched again, seqId 12, the update applied on top.
okx() {
	RING="${RING}_okx"
	rest() {
		printf '{"code":"0","msg":"","data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383012","seqId":%s}]}' "$1"
	}
	{
		echo conn; echo expect 1
		echo 'send {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["8476.90","1","0","1"]],"ts":"1597026383015","checksum":0,"prevSeqId":10,"seqId":15}]}'
		echo waitrest 2
		echo sleep 0.5
		echo "send {\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\",\"tradeId\":\"$HUGE\",\"px\":\"42219.9\",\"sz\":\"0.1\",\"side\":\"buy\",\"ts\":\"1630048897897\"}]}"
		echo "rest 0 200 $(rest "\"$HUGE\"")"
		echo "rest 0 200 $(rest 12)"
	} >"$T/okx"
	mock_start "$T/okx"
	collect_until 20 '"type":"trade"' "okx: no trade (seqId 2^64 - 1 taken, not fetched again?)" \
	    collector_start -v \
	    --url "okx=wss://127.0.0.1:$MOCK_PORT/ws/v5/public" \
	    --rest-url "okx=https://127.0.0.1:$MOCK_PORT" okx:BTC-USDT
	read_clean okx
	ring_is okx <<EOF2
{"type":"status","venue":"okx","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws/v5/public"}
{"type":"book_snapshot","venue":"okx","symbol":"BTC-USDT","vseq":15,"ts":1597026383015000000,"bids":[["8476.97","256"],["8476.90","1"]],"asks":[["8476.98","415"]]}
{"type":"trade","venue":"okx","symbol":"BTC-USDT","vseq":0,"ts":1630048897897000000,"price":"42219.9","qty":"0.1","side":"buy","tid":"$HUGE"}
EOF2
	counters_match okx 'okx: msgs 2 data 2 malformed 1 '
}

binance
bybit
coinbase
okx
