#!/bin/sh
# A venue trade whose price or quantity is not a decimal above 0 is
# malformed (collector(1) VENUES): skipped, counted, and logged with the
# text at fault, the price's or the quantity's; the good trade after them
# is written.  Binance's feed against the mock exchange: the check is the
# one all venues share.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# trade TID PRICE QTY: one combined-stream trade event
trade() {
	printf 'send {"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":%s,"p":"%s","q":"%s","T":1672515782136,"m":true}}\n' \
	    "$1" "$2" "$3"
}

{
	echo conn
	trade 1 16500.01 x1
	trade 2 y2 0.001
	trade 3 16500.01 -2
	trade 4 16500.01 0
	trade 5 16500.01 -0.000
	trade 6 0 0.001
	trade 7 -5 0.001
	trade 8 0.00 0.001
	trade 9 16500.01 0.001
} >"$T/s"
mock_start "$T/s"
collect_until 20 '"type":"trade"' "no trade" \
    collector_start -v --url "binance=wss://127.0.0.1:$MOCK_PORT" \
    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" binance:BTC-USDT
ring_is trades <<EOF2
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":9,"ts":1672515782136000000,"price":"16500.01","qty":"0.001","side":"sell","tid":"9"}
EOF2
counters_match counted 'binance: msgs 9 data 9 malformed 8 '
# each line quotes the text at fault
for why in 'bad trade quantity: x1' 'bad trade price: y2' \
    'bad trade quantity: -2' 'bad trade quantity: 0'; do
	grep -q "binance: malformed message skipped: $why\$" "$T/collector.err" ||
	    fail "no line '$why': $(grep "malformed message" "$T/collector.err")"
done
