#!/bin/sh
# Binance Spot, replayed from real recorded traffic: the REST depth
# snapshots and 177 depth@100ms events of four symbols, as the venue sent
# them (tests/fixtures/venues/README.md), served by the mock exchange.
# After every ring book message, and at the end, the book a reader builds
# from the ring is the book rebuilt from the same frames by the venue's
# documented U/u procedure (tests/mock/rebuild.py), level by level, text
# for text.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

CAP="$TESTS/fixtures/venues/binance_depth_20211011.jsonl.xz"
SYMS=NKN-USDT,BLZ-ETH,LRC-BTC,RUNE-EUR

# 30 s of traffic at ten times its pace: REST syncs and live events mix.
# The recorded snapshots asked limit=1000, the limit --depth 500 asks:
# three of them fill it on the ask side, so the window must stay within
# that horizon, and here it does (no resync; rebuild.py checks that the
# venue's top 500 is known there too).
mock_replay "$CAP" 0 10
collector_start -v --depth 500 --url "binance=wss://127.0.0.1:$MOCK_PORT" \
    --rest-url "binance=https://127.0.0.1:$MOCK_PORT" "binance:$SYMS"
replay_wait binance 20
for s in $(echo "$SYMS" | tr , ' '); do
	wait_for 10 ring_has "\"type\":\"book_snapshot\",\"venue\":\"binance\",\"symbol\":\"$s\"" ||
	    fail "no book for $s"
done
collector_stop
assert_eq "REST requests" 4 "$(mock_count '^R[0-9]+ GET /api/v3/depth\?symbol=[A-Z]+&limit=1000$')"
assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
replay_check binance "$CAP" "$SYMS" 500
