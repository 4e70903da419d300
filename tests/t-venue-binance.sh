#!/bin/sh
# Binance Spot feed against a local mock exchange (TLS WebSocket on the
# combined-stream path and HTTPS REST depth snapshots on the same port): a
# normal session, the buffering race (updates before and during a slow
# snapshot; a snapshot older than the first buffered update is fetched
# again), stale live updates dropped, an update id gap, the window kept
# within the REST snapshot's horizon, reconnects, malformed messages, a
# Retry-After of 68 years.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# depth FIRST LAST BIDS ASKS: one combined-stream depthUpdate event
depth() {
	printf 'send {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":%s,"s":"BTCUSDT","U":%s,"u":%s,"b":%s,"a":%s}}\n' \
	    "$((1672515782000 + $2))" "$1" "$2" "$3" "$4"
}
trade='send {"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":12345,"p":"16500.01000000","q":"0.00100000","T":1672515782136,"m":true,"M":true}}'
snap() {
	printf '{"lastUpdateId":%s,"bids":[["16500.00000000","1.00000000"],["16499.50000000","2.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}' "$1"
}

run() {
	collector_start -v --url "binance=wss://127.0.0.1:$MOCK_PORT" \
	    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" "$@" \
	    binance:BTC-USDT
}

# First event buffered, snapshot (lastUpdateId 101) fetched, the event
# with u 102 applied on top before the book is published; then a delta
# and a trade, exactly.
normal_session() {
	{
		echo conn
		depth 100 102 '[["16500.00000000","1.50000000"]]' '[]'
		echo waitrest 1
		echo sleep 0.5
		depth 103 103 '[]' '[["16501.00000000","0.00000000"]]'
		echo "$trade"
		echo "rest 0 200 $(snap 101)"
	} >"$T/s1"
	mock_start "$T/s1"
	collect_until 20 '"type":"trade"' "session: no trade" run
	ring_is session <<EOF
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":102,"ts":1672515782102000000,"bids":[["16500.00000000","1.50000000"],["16499.50000000","2.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}
{"type":"book_delta","venue":"binance","symbol":"BTC-USDT","vseq":103,"ts":1672515782103000000,"vfirst":103,"bids":[],"asks":[["16501.00000000","0.00000000"]]}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":12345,"ts":1672515782136000000,"price":"16500.01000000","qty":"0.00100000","side":"sell","tid":"12345"}
EOF
	assert_eq "stream path" 1 "$(mock_count '^C1 open /stream\?streams=btcusdt@depth@100ms/btcusdt@trade$')"
	# the default window (1000) asks the venue's most, 5000 levels
	assert_eq "REST path" 1 "$(mock_count '^R1 GET /api/v3/depth\?symbol=BTCUSDT&limit=5000$')"
}

# Updates arrive before and during two slow snapshots; the first snapshot
# (lastUpdateId 95) is older than the first buffered update (U 101), so it
# is fetched again; the second (104) lands inside the buffered [103;105].
race() {
	RING="${RING}_race"
	{
		echo conn
		depth 101 102 '[["16499.00000000","9.00000000"]]' '[]'
		echo waitrest 1
		depth 103 105 '[["16500.00000000","0.00000000"]]' '[["16500.01000000","0.75000000"]]'
		echo waitrest 2
		depth 106 108 '[["16499.50000000","2.50000000"]]' '[]'
		echo sleep 2
		depth 109 110 '[]' '[["16502.00000000","4.00000000"]]'
		echo "$trade"
		echo "rest 1.0 200 $(snap 95)"
		echo "rest 1.0 200 $(snap 104)"
	} >"$T/s2"
	mock_start "$T/s2"
	collect_until 30 '"type":"trade"' "race: no trade" run
	assert_eq "REST requests" 2 "$(mock_count '^R[0-9]+ GET')"
	grep -q 'snapshot 95 older than first update 101: refetching' "$T/collector.err" ||
	    fail "race: no refetch logged"
	# the update 101-102 is inside the 104 snapshot: not applied
	assert_eq "book" '{"bids":[["16499.50000000","2.50000000"]],"asks":[["16500.01000000","0.75000000"],["16501.00000000","3.00000000"],["16502.00000000","4.00000000"]]}' \
	    "$(book_state binance BTC-USDT)"
	ring_has '"type":"book_snapshot".*"vseq":108,' || fail "race: snapshot not at 108"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
}

# In sync at 102 (the snapshot is published with vseq 102, so what follows
# is live, not buffered), (103,104) applies; then two stale events come
# live: (103,104) again with other levels (u equal to the book's update
# id) and (101,102) (u below it).  The venue says drop any event with
# u <= the book's update id: the ring's book and messages are exactly as
# if they never came, and (105,105) applies on top.
stale_live_update() {
	RING="${RING}_stale"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		echo sleep 1
		depth 103 104 '[["16500.00000000","1.25000000"]]' '[]'
		depth 103 104 '[["16500.00000000","7.00000000"]]' '[["16500.01000000","0.00000000"]]'
		depth 101 102 '[["16499.50000000","0.00000000"]]' '[]'
		depth 105 105 '[]' '[["16502.00000000","4.00000000"]]'
		echo "$trade"
		echo "rest 0 200 $(snap 101)"
	} >"$T/s6"
	mock_start "$T/s6"
	collect_until 20 '"type":"trade"' "stale: no trade" run
	ring_has '"type":"book_snapshot".*"vseq":102,' ||
	    fail "stale: the book was not in sync before the stale events (slow REST answer?)"
	ring_is stale <<EOF
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":102,"ts":1672515782102000000,"bids":[["16500.00000000","1.00000000"],["16499.50000000","2.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}
{"type":"book_delta","venue":"binance","symbol":"BTC-USDT","vseq":104,"ts":1672515782104000000,"vfirst":103,"bids":[["16500.00000000","1.25000000"]],"asks":[]}
{"type":"book_delta","venue":"binance","symbol":"BTC-USDT","vseq":105,"ts":1672515782105000000,"vfirst":105,"bids":[],"asks":[["16502.00000000","4.00000000"]]}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":12345,"ts":1672515782136000000,"price":"16500.01000000","qty":"0.00100000","side":"sell","tid":"12345"}
EOF
	assert_eq "book" '{"bids":[["16500.00000000","1.25000000"],["16499.50000000","2.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"],["16502.00000000","4.00000000"]]}' \
	    "$(book_state binance BTC-USDT)"
	counters_match stale 'binance: msgs 6 data 6 malformed 0 resyncs 0 .* ignored 2( |$)'
}

# In sync at 102, then U 105 > 103: resync status, a fresh snapshot and
# the updates since, then the book is published again.
gap() {
	RING="${RING}_gap"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		echo sleep 0.5
		depth 105 106 '[["16400.00000000","1.00000000"]]' '[]'
		echo waitrest 2
		depth 107 107 '[["16300.00000000","1.00000000"]]' '[]'
		echo "$trade"
		echo "rest 0 200 $(snap 101)"
		echo "rest 0.5 200 $(snap 106)"
	} >"$T/s3"
	mock_start "$T/s3"
	run
	wait_for 20 ring_has '"type":"trade"' || fail "gap: no trade"
	wait_for 20 ring_has '"vseq":107' || fail "gap: not rebuilt"
	collector_stop
	ring_has '"status":"resync","reason":"update id gap: book at 102, next update starts at 105"' ||
	    fail "gap: no resync status"
	assert_eq "book" '{"bids":[["16500.00000000","1.00000000"],["16499.50000000","2.00000000"],["16300.00000000","1.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}' \
	    "$(book_state binance BTC-USDT)"
	assert_eq "deltas" 0 "$(ring_count '"type":"book_delta"')"
}

# full_snap ID: a snapshot that fills the limit asked at --depth 3, 1000
# levels a side: bids from 16500.00 down by 0.01 to 16490.01, asks from
# 16500.01 up to 16510.00.  The venue's book goes on beyond both ends.
full_snap() {
	awk -v id="$1" 'BEGIN {
		printf "{\"lastUpdateId\":%s,\"bids\":[", id
		for (i = 0; i < 1000; i++)
			printf "%s[\"%d.%02d00\",\"1.0\"]", i ? "," : "",
			    (1650000 - i) / 100, (1650000 - i) % 100
		printf "],\"asks\":["
		for (i = 0; i < 1000; i++)
			printf "%s[\"%d.%02d00\",\"2.0\"]", i ? "," : "",
			    (1650001 + i) / 100, (1650001 + i) % 100
		printf "]}"
	}'
}

# bids FROM TO QTY: the bids FROM down to TO (prices in cents) at QTY, as
# a JSON array of levels
bids() {
	awk -v from="$1" -v to="$2" -v q="$3" 'BEGIN {
		printf "["
		for (c = from; c >= to; c--)
			printf "%s[\"%d.%02d00\",\"%s\"]", c < from ? "," : "",
			    c / 100, c % 100, q
		printf "]"
	}'
}

# --depth 3 asks 1000 levels and gets 1000 a side: beyond the worst (bid
# 16490.01, the horizon) the venue's book is unknown.  (103) removes 997
# bids: the three left are all within the snapshot, so the window is
# proved and published.  (104) removes one of them and adds a bid at
# 16480.00, beyond the horizon: the venue's third bid may be anything
# between, so nothing is published; a status resync says why, and the
# book comes back from a fresh snapshot.  The ring never shows 16480.00.
horizon() {
	RING="${RING}_hz"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		echo sleep 0.5
		depth 103 103 "$(bids 1649999 1649003 0)" '[]'
		depth 104 104 '[["16490.02000000","0"],["16480.00000000","4.0"]]' '[]'
		depth 105 105 '[]' '[["16502.00000000","4.00000000"]]'
		echo waitrest 2
		depth 106 106 '[["16499.00000000","3.00000000"]]' '[]'
		echo sleep 2
		echo "$trade"
		echo "rest 0 200 $(full_snap 101)"
		echo "rest 1.0 200 $(snap 105)"
	} >"$T/s7"
	mock_start "$T/s7"
	run --depth 3
	wait_for 20 ring_has '"status":"resync"|"vseq":104,' ||
	    fail "horizon: (104) neither published nor resynced"
	! ring_has '"book_.*16480\.00' ||
	    fail "horizon: a level beyond the snapshot's horizon was published: $(ring_jsonl | grep '16480\.00')"
	wait_for 20 ring_has '"type":"trade"' || fail "horizon: no trade"
	collector_stop
	ring_is horizon <<EOF
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"status","venue":"binance","symbol":"BTC-USDT","vseq":0,"status":"info","reason":"book deeper than --depth 3: 1000 bids, 1000 asks; publishing the top 3"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":102,"ts":1672515782102000000,"bids":[["16500.0000","1.0"],["16499.9900","1.0"],["16499.9800","1.0"]],"asks":[["16500.0100","2.0"],["16500.0200","2.0"],["16500.0300","2.0"]]}
{"type":"book_delta","venue":"binance","symbol":"BTC-USDT","vseq":103,"ts":1672515782103000000,"vfirst":103,"bids":[["16499.9900","0"],["16499.9800","0"],["16490.0200","1.0"],["16490.0100","1.0"]],"asks":[]}
{"type":"status","venue":"binance","symbol":"BTC-USDT","vseq":0,"status":"resync","reason":"bids: only 2 levels known within the REST snapshot's horizon, fewer than --depth 3"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":106,"ts":1672515782106000000,"bids":[["16500.00000000","1.00000000"],["16499.50000000","2.00000000"],["16499.00000000","3.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":12345,"ts":1672515782136000000,"price":"16500.01000000","qty":"0.00100000","side":"sell","tid":"12345"}
EOF
	assert_eq "REST requests for --depth 3" 2 "$(mock_count '^R[0-9]+ GET /api/v3/depth\?symbol=BTCUSDT&limit=1000$')"
}

# The same horizon, crossed by updates buffered while the snapshot was
# coming: (103) removes 998 bids, leaving two within the horizon.  The
# snapshot is never published; a status resync says why and a fresh one
# is fetched.
horizon_buffered() {
	RING="${RING}_hzb"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		depth 103 103 "$(bids 1649999 1649002 0)" '[]'
		echo sleep 1.5
		depth 104 104 '[["16480.00000000","4.0"]]' '[]'
		echo waitrest 2
		depth 105 105 '[["16499.00000000","3.00000000"]]' '[]'
		echo sleep 2
		echo "$trade"
		echo "rest 1.0 200 $(full_snap 101)"
		echo "rest 0.5 200 $(snap 104)"
	} >"$T/s8"
	mock_start "$T/s8"
	collect_until 20 '"type":"trade"' "horizon, buffered: no trade" \
	    run --depth 3
	ring_is "horizon, buffered" <<EOF
{"type":"status","venue":"binance","vseq":0,"status":"connected","reason":"connected to wss://127.0.0.1:$MOCK_PORT"}
{"type":"status","venue":"binance","symbol":"BTC-USDT","vseq":0,"status":"resync","reason":"bids: only 2 levels known within the REST snapshot's horizon, fewer than --depth 3"}
{"type":"book_snapshot","venue":"binance","symbol":"BTC-USDT","vseq":105,"ts":1672515782105000000,"bids":[["16500.00000000","1.00000000"],["16499.50000000","2.00000000"],["16499.00000000","3.00000000"]],"asks":[["16500.01000000","0.50000000"],["16501.00000000","3.00000000"]]}
{"type":"trade","venue":"binance","symbol":"BTC-USDT","vseq":12345,"ts":1672515782136000000,"price":"16500.01000000","qty":"0.00100000","side":"sell","tid":"12345"}
EOF
}

reconnects() {
	RING="${RING}_rc"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo drop
		echo conn
		depth 100 102 '[]' '[]'
		echo "repeat 30 0 {\"result\":null,\"id\":1}"
		echo conn
		depth 200 202 '[]' '[]'
		echo "rest 0 200 $(snap 101)"
		echo "rest 0 200 $(snap 101)"
		echo "rest 0 200 $(snap 201)"
	} >"$T/s4"
	mock_start "$T/s4"
	collect_until 30 '"vseq":202' "reconnect: no third session" \
	    run --watchdog 2
	assert_eq "connections" 3 "$(mock_count '^C[0-9]+ open /stream')"
	assert_eq "connected records" 3 "$(ring_count '"status":"connected"')"
	assert_eq "watchdog" 1 "$(ring_count '"status":"disconnected","reason":"watchdog: no data for 2 s"')"
	assert_eq "disconnected records" 2 "$(ring_count '"status":"disconnected"')"
}

malformed() {
	RING="${RING}_bad"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		echo sleep 0.5
		echo 'send {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","s":"BTCUSDT"}}'
		echo 'send [1,2'
		echo 'send {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"x","q":"1","T":1,"m":false}}'
		echo 'send {"stream":"ethusdt@trade","data":{"e":"trade","s":"ETHUSDT","t":1,"p":"1","q":"1","T":1,"m":false}}'
		depth 103 103 '[["16499.50000000","2.50000000"]]' '[]'
		echo "$trade"
		echo "rest 0 200 $(snap 101)"
	} >"$T/s5"
	malformed_run "$T/s5" 'binance: msgs 7 data 6 malformed 4 '
	assert_eq "deltas" 1 "$(ring_count '"type":"book_delta"')"
}

# HTTP 429 with a Retry-After past all reason (68 years; longer ones
# overflowed atoi): waited 300 s at most, and said.
rate_limited() {
	RING="${RING}_429"
	{
		echo conn
		depth 100 102 '[]' '[]'
		echo waitrest 1
		echo "rest 0 429:2147483647 {}"
	} >"$T/s6"
	mock_start "$T/s6"
	run
	wait_for 10 grep -q 'REST rate limited (HTTP 429), waiting' \
	    "$T/collector.err" || fail "429: $(cat "$T/collector.err")"
	collector_stop
	grep -q 'REST rate limited (HTTP 429), waiting 300 s' \
	    "$T/collector.err" || fail "429: $(cat "$T/collector.err")"
}

normal_session
race
stale_live_update
gap
horizon
horizon_buffered
reconnects
malformed
rate_limited
