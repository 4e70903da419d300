#!/bin/sh
# Kraken v2 feed against a local mock exchange: a normal session whose
# book checksums (computed independently by tests/mock/kraken_gen.py from
# the documented algorithm) all verify, a checksum mismatch, reconnects
# after a drop and a heartbeat-only stale connection, malformed messages,
# a book message of an unknown type (a resync).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

gen() { $PY "$TESTS/mock/kraken_gen.py" "$1" "$T/$1.script" "$T/$1.book" ||
    fail "kraken_gen $1"; }

run() {
	collector_start -v --url "kraken=wss://127.0.0.1:$MOCK_PORT/v2" "$@" \
	    kraken:BTC-USD
}

# Every checksum matches (no resync), the book equals the generator's
# (levels pushed beyond depth 10 are removed), the trade keeps its text.
normal_session() {
	gen session
	mock_start "$T/session.script"
	collect_until 20 '"type":"trade"' "session: no trade" run
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "book" "$(cat "$T/session.book")" "$(book_state kraken BTC-USD)"
	ring_has '^\{"type":"book_delta","venue":"kraken","symbol":"BTC-USD","vseq":0,"ts":1696613755500000000,"bids":\[\["45280.6","0.25"\],\["45271.5","0"\]\],"asks":\[\]\}$' ||
	    fail "session: depth cut not published as a removal"
	ring_has '^\{"type":"trade","venue":"kraken","symbol":"BTC-USD","vseq":4665906,"ts":1696613756123456000,"price":"45285.2","qty":"0.00100000","side":"sell","tid":"4665906"\}$' ||
	    fail "session: trade"
	assert_eq "subscribe book" 1 "$(mock_count 'C1 recv \{"method":"subscribe","params":\{"channel":"book","symbol":\["BTC/USD"\],"depth":10,"snapshot":true\}\}')"
	assert_eq "subscribe trade" 1 "$(mock_count 'C1 recv \{"method":"subscribe","params":\{"channel":"trade","symbol":\["BTC/USD"\],"snapshot":false\}\}')"
}

# A wrong checksum: resync status, unsubscribe + subscribe, nothing
# published until the new snapshot, which replaces the book.
checksum_mismatch() {
	RING="${RING}_cs"
	gen checksum
	mock_start "$T/checksum.script"
	collect_until 20 '"50000.5"' "checksum: no new snapshot" run
	ring_has '"status":"resync","reason":"checksum mismatch: venue [0-9]+, book [0-9]+"' ||
	    fail "checksum: no resync status"
	assert_eq "unsubscribe" 1 "$(mock_count 'C1 recv \{"method":"unsubscribe","params":\{"channel":"book"')"
	assert_eq "deltas published" 0 "$(ring_count '"type":"book_delta"')"
	assert_eq "snapshots published" 2 "$(ring_count '"type":"book_snapshot"')"
	assert_eq "book" "$(cat "$T/checksum.book")" "$(book_state kraken BTC-USD)"
}

# A book message of an unknown type ("Update"): its changes are lost,
# which the next checksum, of the top 10 levels only, may not show: the
# book is resynced as at a checksum mismatch.
bad_book_type() {
	RING="${RING}_bt"
	gen badtype
	mock_start "$T/badtype.script"
	collect_until 20 '"50000.5"' "bad book type: no new snapshot" run
	ring_has '"status":"resync","reason":"malformed book message"' ||
	    fail "bad book type: no resync status"
	assert_eq "bad book type: snapshots published" 2 \
	    "$(ring_count '"type":"book_snapshot"')"
	assert_eq "bad book type: book" "$(cat "$T/badtype.book")" \
	    "$(book_state kraken BTC-USD)"
}

reconnects() {
	RING="${RING}_rc"
	gen reconnect
	mock_start "$T/reconnect.script"
	collect_until 30 '"50000.5"' "reconnect: no third session" \
	    run --watchdog 2
	assert_eq "connections" 3 "$(mock_count '^C[0-9]+ open')"
	assert_eq "book subscriptions" 3 "$(mock_count 'recv \{"method":"subscribe","params":\{"channel":"book"')"
	assert_eq "connected records" 3 "$(ring_count '"status":"connected"')"
	assert_eq "watchdog" 1 "$(ring_count '"status":"disconnected","reason":"watchdog: no data for 2 s"')"
	assert_eq "disconnected records" 2 "$(ring_count '"status":"disconnected"')"
	assert_eq "book" "$(cat "$T/reconnect.book")" "$(book_state kraken BTC-USD)"
}

malformed() {
	RING="${RING}_bad"
	gen malformed
	malformed_run "$T/malformed.script" 'kraken: msgs 6 data 4 malformed 4 '
	assert_eq "book" "$(cat "$T/malformed.book")" "$(book_state kraken BTC-USD)"
}

normal_session
checksum_mismatch
bad_book_type
reconnects
malformed
