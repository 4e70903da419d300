#!/bin/sh
# The --depth window on Bybit's real traffic: the recorded orderbook.200
# snapshots and 548 deltas of two symbols (tests/fixtures/venues/
# README.md) through a window of 10 levels, whose edge most deltas cross
# (t-venue-bybit-replay publishes the whole 200).  A window of 10 asks
# the venue for orderbook.50, the least depth that covers it (collector(1)
# --depth), and the collector applies only the topic it subscribed; no
# orderbook.50 recording exists, so the mock renames the recorded topic
# orderbook.200.SYM to orderbook.50.SYM in the frames it sends (mockex.py
# `replace`; the capture file is unchanged): each frame is the venue's,
# levels, update ids and all, under the name of the stream asked for.
# After every ring book message, and at the end, the book a reader
# builds from the ring is the top 10 levels a side of the book rebuilt
# from the same frames (tests/mock/rebuild.py), text for text.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

CAP="$TESTS/fixtures/venues/bybit_spot_20260809.jsonl.xz"
SYMS=BTC-USDT,ETH-USDT

mock_replay "$CAP" 1 10 '"topic":"orderbook.200.' '"topic":"orderbook.50.'
collector_start -v --depth 10 \
    --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" "bybit:$SYMS"
replay_wait bybit 20
collector_stop
assert_eq "subscribe" 1 "$(mock_count '^C1 recv \{"req_id":"subscribe","op":"subscribe","args":\["orderbook.50.BTCUSDT","publicTrade.BTCUSDT","orderbook.50.ETHUSDT","publicTrade.ETHUSDT"\]\}$')"
assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
assert_eq "topics not subscribed" 0 \
    "$(grep -c 'unsubscribed topic' "$T/collector.err")"
replay_check bybit "$CAP" "$SYMS" 10
