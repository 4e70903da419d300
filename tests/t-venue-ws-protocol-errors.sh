#!/bin/sh
# t-venue-ws-protocol-errors: a venue that sends a frame against RFC
# 6455 (reserved bits, an unknown opcode, a masked frame, a continuation
# with no message, a close with a code no one may send) or text that is
# not UTF-8 is answered with a close (1002, 1007) by wslay, and the
# collector says so at once (a status disconnected, "WebSocket protocol
# error") and reconnects (collector(1): each change is marked).  Before,
# wslay's close was sent and the connection left open: no status, no
# data, until the watchdog (60 s by default) blamed "no data" (with a
# venue that does not answer the close, as a probe's raw server; the
# mock here answers it, and the code before then said "connection
# closed by peer").  Then a handshake trickled, and a REST answer.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

trade() {
	printf 'send {"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":%s,"p":"16500.01000000","q":"0.00100000","T":1672515782136,"m":true,"M":true}}\n' "$1"
}

# KIND HEX: the frame (a text frame of "{}" unless said)
for c in 'rsv1 c1027b7d' 'opcode3 83027b7d' 'masked 81820102030478 7f' \
    'close999 880203e7' 'notutf8 8102fffe' 'continuation 80027b7d'; do
	kind=${c%% *} hex=$(echo "${c#* }" | tr -d ' ')
	{
		echo conn
		trade 1
		echo "raw $hex"
		echo sleep 30
		echo conn
		trade 2
	} >"$T/s.$kind"
	mock_start "$T/s.$kind"
	collect_until 20 '"tid":"2"' "$kind: no reconnect within 20 s" \
	    collector_start --watchdog 60 \
	    --url "binance=wss://127.0.0.1:$MOCK_PORT" \
	    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" binance:BTC-USDT
	ring_has '"status":"disconnected","reason":"WebSocket protocol error' ||
	    fail "$kind: $(grep disconnected "$T/ring.norm")"
	note "$kind: $(grep -o '"reason":"WebSocket[^"]*"' "$T/ring.norm")"
	rm -f "/dev/shm/tickpipe.$RING"
done

# A venue that trickles its handshake response, a byte every 0.25 s:
# the attempt ends at the handshake's deadline (15 s), as with one that
# sends nothing.  Before, each byte put the bufferevent's timeout off
# again, and the watchdog does not look at a connection not yet open:
# the attempt took the whole trickle (100 s here; hours for a venue
# that pleases), without a word.
$PY "$TESTS/mock/trickle.py" "$T/tport" "$T/trickle.log" 2>"$T/trickle.err" &
track $!
wait_for 10 test -s "$T/tport" || fail "trickle.py: $(cat "$T/trickle.err")"
p=$(cat "$T/tport")
collect_until 25 '"reason":"timeout during connect or handshake"' \
    "a trickled handshake: no timeout within 25 s" \
    collector_start --url "binance=ws://127.0.0.1:$p" \
    --rest-url "binance=http://127.0.0.1:$p" binance:BTC-USDT

# A REST snapshot whose body is trickled: the request is given up at its
# deadline (20 s), said, and made again.  Before, each byte put evhttp's
# timeout off again: the book, and every REST request of the feed (one
# at a time) behind it, waited for the whole trickle, without a word.
$PY "$TESTS/mock/trickle.py" "$T/rport" "$T/rest.log" rest \
    2>"$T/rest.err" &
track $!
wait_for 10 test -s "$T/rport" || fail "trickle.py rest: $(cat "$T/rest.err")"
p=$(cat "$T/rport")
collector_start --url "binance=ws://127.0.0.1:$p" \
    --rest-url "binance=http://127.0.0.1:$p" binance:BTC-USDT
wait_for 30 grep -q 'REST snapshot: request not answered within 20 s' \
    "$T/collector.err" ||
    fail "a trickled REST answer: collector said: $(cat "$T/collector.err")"
wait_for 5 sh -c "[ \$(grep -c ' GET /api/v3/depth' '$T/rest.log') -ge 2 ]" ||
    fail "a trickled REST answer: not asked again: $(cat "$T/rest.log")"
collector_stop
exit 0
