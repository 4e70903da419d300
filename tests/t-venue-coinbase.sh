#!/bin/sh
# Coinbase Advanced Trade feed against a local mock exchange (TLS
# WebSocket): a normal session, a sequence_num gap, reconnects after a drop
# and after a heartbeat-only stale connection, malformed messages, a
# malformed level2 event (the book rebuilt from a new snapshot), a side
# neither bid nor offer, an event neither snapshot nor update, a message
# sent again, an event's trades listed newest first.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

env='"client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z"'
snap1='"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.06317902"},{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21921.74","new_quantity":"0.02"},{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.50","new_quantity":"1.5"},{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21922.00","new_quantity":"3"}]}]'
snap2='"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21900.00","new_quantity":"2"},{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21950.10","new_quantity":"0.10"}]}]'
upd='"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"offer","event_time":"2023-02-09T20:32:51Z","price_level":"21921.74","new_quantity":"0"},{"side":"bid","event_time":"2023-02-09T20:32:51Z","price_level":"21921.80","new_quantity":"0.5"}]}]'
trade='"events":[{"type":"update","trades":[{"trade_id":"1001","product_id":"BTC-USD","price":"21921.80","size":"0.001","side":"BUY","time":"2023-02-09T20:32:51.4Z"}]}]'
# side is the maker's: "BUY" above prints at the best bid (a taker sell),
# "SELL" here at the best ask (a taker buy)
trade2='"events":[{"type":"update","trades":[{"trade_id":"1002","product_id":"BTC-USD","price":"21922.00","size":"0.25","side":"SELL","time":"2023-02-09T20:32:51.5Z"}]}]'
hb='"events":[{"current_time":"2023-02-09 20:32:51.1 +0000 UTC","heartbeat_counter":"1"}]'

# A session: subscriptions, snapshot, the recent-trades snapshot (skipped),
# an update, a heartbeat (not data), two trades -> exactly this JSONL, the
# trades with the taker's side (the opposite of the venue's maker side).
normal_session() {
	cat >"$T/s1" <<EOF
conn
expect 3
send {"channel":"subscriptions",$env,"sequence_num":0,"events":[{"subscriptions":{"level2":["BTC-USD"]}}]}
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send {"channel":"market_trades",$env,"sequence_num":2,"events":[{"type":"snapshot","trades":[{"trade_id":"999","product_id":"BTC-USD","price":"21920.00","size":"1","side":"SELL","time":"2023-02-09T20:30:00Z"}]}]}
send {"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:51.000000001Z","sequence_num":3,$upd}
send {"channel":"heartbeats",$env,"sequence_num":4,$hb}
send {"channel":"market_trades",$env,"sequence_num":5,$trade}
send {"channel":"market_trades",$env,"sequence_num":6,$trade2}
EOF
	mock_start "$T/s1"
	collect_until 20 '"tid":"1002"' "session: no second trade" \
	    collector_start --url "coinbase=wss://127.0.0.1:$MOCK_PORT/ws" \
	    coinbase:BTC-USD
	ring_is session <<EOF
{"type":"status","venue":"coinbase","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT/ws"}
{"type":"book_snapshot","venue":"coinbase","symbol":"BTC-USD","vseq":1,"ts":1675974770714964855,"bids":[["21921.73","0.06317902"],["21921.50","1.5"]],"asks":[["21921.74","0.02"],["21922.00","3"]]}
{"type":"book_delta","venue":"coinbase","symbol":"BTC-USD","vseq":3,"ts":1675974771000000001,"bids":[["21921.80","0.5"]],"asks":[["21921.74","0"]]}
{"type":"trade","venue":"coinbase","symbol":"BTC-USD","vseq":5,"ts":1675974771400000000,"price":"21921.80","qty":"0.001","side":"sell","tid":"1001"}
{"type":"trade","venue":"coinbase","symbol":"BTC-USD","vseq":6,"ts":1675974771500000000,"price":"21922.00","qty":"0.25","side":"buy","tid":"1002"}
EOF
	for ch in heartbeats level2 market_trades; do
		assert_eq "subscribe $ch" 1 "$(mock_count "C1 recv .*\"subscribe\".*\"channel\":\"$ch\"")"
	done
}

# sequence_num 2 -> 4: resync status, level2 resubscribed, the book is
# rebuilt from the new snapshot and updates in between are not published.
sequence_gap() {
	RING="${RING}_gap"
	cat >"$T/s2" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send {"channel":"l2_data",$env,"sequence_num":2,$upd}
send {"channel":"l2_data",$env,"sequence_num":4,$upd}
expect 5
send {"channel":"l2_data",$env,"sequence_num":5,$snap2}
EOF
	mock_start "$T/s2"
	collect_until 20 '"21950.10"' "gap: no new snapshot" \
	    collector_start --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	ring_has '"status":"resync","reason":"sequence_num gap: expected 3, got 4"' ||
	    fail "gap: no resync status"
	assert_eq "unsubscribe level2" 1 "$(mock_count 'C1 recv .*"unsubscribe".*"level2"')"
	assert_eq "deltas published" 1 "$(ring_count '"type":"book_delta"')"
	assert_eq "book after the gap" \
	    '{"bids":[["21900.00","2"]],"asks":[["21950.10","0.10"]]}' \
	    "$(book_state coinbase BTC-USD)"
}

# Connection 1 is dropped, connection 2 only sends heartbeats (stale):
# both are followed by a reconnect with growing backoff, a resubscription
# and status records; connection 3's book is the one published last.
reconnects() {
	RING="${RING}_rc"
	cat >"$T/s3" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
drop
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
repeat 30 2 {"channel":"heartbeats",$env,"sequence_num":@N@,$hb}
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap2}
EOF
	mock_start "$T/s3"
	collect_until 30 '"21950.10"' "reconnect: no third session" \
	    collector_start -v --watchdog 2 \
	    --url "coinbase=wss://127.0.0.1:$MOCK_PORT" coinbase:BTC-USD
	assert_eq "connections" 3 "$(mock_count '^C[0-9]+ open')"
	assert_eq "level2 subscriptions" 3 "$(mock_count 'recv .*"subscribe".*"level2"')"
	assert_eq "connected records" 3 "$(ring_count '"status":"connected"')"
	ring_has '"status":"disconnected","reason":"watchdog: no data for 2 s"' ||
	    fail "reconnect: no watchdog disconnect"
	assert_eq "disconnected records" 2 "$(ring_count '"status":"disconnected"')"
	# backoff: 0.5-1 s, then 1-2 s (jittered doubling)
	d1=$(grep -m1 'reconnecting in' "$T/collector.err" | sed 's/.*in \([0-9]*\) ms/\1/')
	d2=$(grep 'reconnecting in' "$T/collector.err" | sed -n '2s/.*in \([0-9]*\) ms/\1/p')
	if [ "$d1" -lt 500 ] || [ "$d1" -gt 1000 ]; then
		fail "first backoff $d1 ms"
	fi
	if [ "$d2" -lt 1000 ] || [ "$d2" -gt 2000 ]; then
		fail "second backoff $d2 ms"
	fi
}

# Malformed messages among good ones are counted, logged and skipped.
malformed() {
	RING="${RING}_bad"
	cat >"$T/s4" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send this is not JSON
send {"no_channel":true}
send {"channel":"market_trades",$env,"sequence_num":2,"events":[{"type":"update","trades":[{"trade_id":"7","product_id":"BTC-USD","price":"1.2.3","size":"1","side":"BUY","time":"2023-02-09T20:32:51Z"}]}]}
send {"channel":"market_trades",$env,"sequence_num":3,"events":[{"type":"update","trades":[{"trade_id":"8","product_id":"NOPE-USD","price":"1","size":"1","side":"BUY","time":"2023-02-09T20:32:51Z"}]}]}
send {"channel":"l2_data",$env,"sequence_num":4,$upd}
send {"channel":"market_trades",$env,"sequence_num":5,$trade}
EOF
	mock_start "$T/s4"
	collect_until 20 '"type":"trade"' "malformed: no trade" \
	    collector_start -v --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	counters_match malformed 'coinbase: msgs 7 data 5 malformed 4 '
	assert_eq "malformed log lines" 4 "$(grep -c 'malformed message skipped' "$T/collector.err")"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "trades" 1 "$(ring_count '"type":"trade"')"
	assert_eq "book" '{"bids":[["21921.80","0.5"],["21921.73","0.06317902"],["21921.50","1.5"]],"asks":[["21922.00","3"]]}' \
	    "$(book_state coinbase BTC-USD)"
}

# resync_run NAME BAD WHY: a snapshot, then a level2 update of events
# BAD, then an update before the new snapshot, then snap2 once level2 is
# subscribed again: WHY is the resync's reason, level2 is unsubscribed and
# subscribed again once, nothing of the book is published between the two
# snapshots, and the book is the new snapshot's.
resync_run() {
	RING="${RING}_$1"
	cat >"$T/$1" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send {"channel":"l2_data",$env,"sequence_num":2,$2}
send {"channel":"l2_data",$env,"sequence_num":3,$upd}
expect 5
send {"channel":"l2_data",$env,"sequence_num":4,$snap2}
EOF
	mock_start "$T/$1"
	collect_until 20 '"21950.10"' "$1: no new snapshot" \
	    collector_start -v --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	ring_has "\"status\":\"resync\",\"reason\":\"$3\"" ||
	    fail "$1: no resync \"$3\""
	assert_eq "$1: unsubscribe level2" 1 "$(mock_count 'C1 recv .*"unsubscribe".*"level2"')"
	assert_eq "$1: subscribe level2" 2 "$(mock_count 'C1 recv .*"subscribe".*"level2"')"
	assert_eq "$1: book messages" 2 "$(ring_count '"type":"book_')"
	assert_eq "$1: book after" \
	    '{"bids":[["21900.00","2"]],"asks":[["21950.10","0.10"]]}' \
	    "$(book_state coinbase BTC-USD)"
}

# A level2 update whose quantity is not a number: collector(1) promises
# the book is published again only from a fresh snapshot, which only a
# resubscription brings (other channels keep the connection alive).
malformed_level2() {
	resync_run bad_l2 '"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2023-02-09T20:32:51Z","price_level":"21921.80","new_quantity":"abc"}]}]' \
	    "malformed level2 update"
}

# A side other than bid and offer is malformed, not an ask.
bad_side() {
	resync_run bad_side '"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"BID","event_time":"2023-02-09T20:32:51Z","price_level":"21921.60","new_quantity":"1"}]}]' \
	    "malformed level2 update"
	! ring_has '21921.60' || fail "bad side: the level was published"
}

# An event of a type neither snapshot nor update: its changes to the
# book are lost, which no sequence shows: the book is resynced.
bad_event() {
	resync_run bad_ev '"events":[{"type":"Update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2023-02-09T20:32:51Z","price_level":"21921.60","new_quantity":"1"}]}]' \
	    "malformed level2 event"
	! ring_has '21921.60' || fail "bad event: the level was published"
}

# A message sent again (the last sequence_num again) is ignored: no
# trade twice, no resync, the stream goes on.
repeated() {
	RING="${RING}_rep"
	cat >"$T/s7" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send {"channel":"market_trades",$env,"sequence_num":2,$trade}
send {"channel":"market_trades",$env,"sequence_num":2,$trade}
send {"channel":"l2_data",$env,"sequence_num":3,$upd}
send {"channel":"market_trades",$env,"sequence_num":4,$trade2}
EOF
	mock_start "$T/s7"
	collect_until 20 '"tid":"1002"' "repeated: no second trade" \
	    collector_start -v --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	assert_eq "repeated: trades" 2 "$(ring_count '"type":"trade"')"
	assert_eq "repeated: resyncs" 0 "$(ring_count '"status":"resync"')"
	assert_eq "repeated: deltas" 1 "$(ring_count '"type":"book_delta"')"
	counters_match repeated 'coinbase: msgs 5 .* ignored 1 '
}

# The venue lists an event's trades newest first (recorded traffic); the
# ring has them oldest first: by time, then, of one time, as listed
# reversed.
trade_order() {
	RING="${RING}_order"
	t3='{"trade_id":"1005","product_id":"BTC-USD","price":"21922.00","size":"3","side":"SELL","time":"2023-02-09T20:32:51.6Z"}'
	t2='{"trade_id":"1004","product_id":"BTC-USD","price":"21922.00","size":"2","side":"SELL","time":"2023-02-09T20:32:51.5Z"}'
	t1='{"trade_id":"1003","product_id":"BTC-USD","price":"21922.00","size":"1","side":"SELL","time":"2023-02-09T20:32:51.5Z"}'
	cat >"$T/s8" <<EOF
conn
expect 3
send {"channel":"l2_data",$env,"sequence_num":1,$snap1}
send {"channel":"market_trades",$env,"sequence_num":2,"events":[{"type":"update","trades":[$t3,$t2,$t1]}]}
EOF
	mock_start "$T/s8"
	collect_until 20 '"tid":"1005"' "order: no trade 1005" \
	    collector_start --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD
	assert_eq "order: trades" "1003 1004 1005" "$(ring_jsonl |
	    sed -n 's/.*"type":"trade".*"tid":"\([0-9]*\)".*/\1/p' |
	    tr '\n' ' ' | sed 's/ $//')"
}

normal_session
sequence_gap
reconnects
malformed
malformed_level2
bad_side
bad_event
repeated
trade_order
