#!/bin/sh
# Bybit v5 spot, replayed from real recorded traffic: orderbook.200
# snapshots and 548 deltas of two symbols, 20 public trades, tickers and
# klines, as the venue sent them (tests/fixtures/venues/README.md), served
# by the mock exchange.  After every ring book message, and at the end,
# the book a reader builds from the ring is the book rebuilt from the same
# frames by the venue's snapshot/delta rules (tests/mock/rebuild.py),
# level by level, text for text; the ring's trades are the venue's, with
# the taker side.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

CAP="$TESTS/fixtures/venues/bybit_spot_20260809.jsonl.xz"
SYMS=BTC-USDT,ETH-USDT

# 44 s of traffic at ten times its pace, once the client has subscribed.
mock_replay "$CAP" 1 10
collector_start -v --depth 200 \
    --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" "bybit:$SYMS"
replay_wait bybit 20
collector_stop
assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"req_id":"subscribe","op":"subscribe","args":\["orderbook.200.BTCUSDT","publicTrade.BTCUSDT","orderbook.200.ETHUSDT","publicTrade.ETHUSDT"\]\}$')"
assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
replay_check bybit "$CAP" "$SYMS" 200
