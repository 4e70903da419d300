#!/bin/sh
# The updates a book holds while it waits for its REST snapshot are
# capped at 64 MiB and at 100000 a symbol (collector(1) VENUES): past
# either cap the book is resynced, a status resync saying which cap and
# what was dropped, and the buffer begins again.  Binance's feed against
# the mock exchange, whose snapshot never comes in time: 70 events of
# 1 MiB pass the byte cap once; 100001 small ones pass the count cap once.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

event='{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782000,"s":"BTCUSDT","U":@N@,"u":@N@,"b":[],"a":[],"pad":"@PAD@"}}'

# flood WHAT COUNT PAD CAP: COUNT events of PAD bytes of padding, with no
# snapshot in time, make exactly one resync saying CAP
flood() {
	RING="${RING}_$1"
	{
		echo conn
		echo "flood $2 100 $3 $event"
		echo "rest 60 200 {}"
	} >"$T/$1"
	mock_start "$T/$1"
	collector_start -v --url "binance=wss://127.0.0.1:$MOCK_PORT" \
	    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" binance:BTC-USDT
	# connected: its SIGUSR1 handler is set, collector_read may ask
	wait_for 20 ring_has '"status":"connected"' || fail "$1: not connected"
	wait_for 30 collector_read binance "$2" ||
	    fail "$1: the collector did not read $2 events"
	collector_stop
	ring_norm
	ring_has "^\{\"type\":\"status\",\"venue\":\"binance\",\"symbol\":\"BTC-USDT\",\"vseq\":0,\"status\":\"resync\",\"reason\":\"updates buffered for the REST snapshot past $4 \([0-9]+, [0-9]+ bytes\): dropped\"\}\$" ||
	    fail "$1: no resync past $4: $(cat "$T/ring.norm")"
	assert_eq "$1: records" 2 "$(wc -l <"$T/ring.norm")"
	counters_match "$1" "binance: msgs $2 data $2 malformed 0 resyncs 1 "
}

flood bytes 70 1048576 '64 MiB'
flood count 100001 0 '100000 updates'
