#!/bin/sh
# Coinbase Advanced Trade, replayed from real recorded traffic: one
# connection's 1030 frames, with l2_data snapshots of BTC-USD (46,000
# levels in one 5 MB frame) and ETH-USD, 773 updates and 59 market_trades
# messages (tests/fixtures/venues/README.md), served by the mock exchange.
# With --depth 1000 (the declared depth window, collector(1)) the book a
# reader builds from the ring is, after every ring book message and at
# the end, the top 1000 levels a side of the book rebuilt from the same
# frames (tests/mock/rebuild.py), text for text, and a status record says
# that the venue's book is deeper.  Trades carry the taker's side: the
# opposite of market_trades' side, which is the maker's.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

CAP="$TESTS/fixtures/venues/coinbase_advtrade_20260809.jsonl.xz"
SYMS=BTC-USD,ETH-USD
DEPTH=1000

# 25 s of traffic at ten times its pace, once the client has subscribed.
mock_replay "$CAP" 3 10
collector_start -v --depth "$DEPTH" \
    --url "coinbase=wss://127.0.0.1:$MOCK_PORT" "coinbase:$SYMS"
replay_wait coinbase 20
collector_stop
assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
replay_check coinbase "$CAP" "$SYMS" "$DEPTH"
for s in $(echo "$SYMS" | tr , ' '); do
	# collector(1): status info "book deeper than --depth N: B bids, A
	# asks; publishing the top N"
	ring_has "\"type\":\"status\",\"venue\":\"coinbase\",\"symbol\":\"$s\",\"vseq\":[0-9]+,\"status\":\"info\",\"reason\":\"book deeper than --depth $DEPTH: [0-9]+ bids, [0-9]+ asks; publishing the top $DEPTH\"" ||
	    fail "no status record says that the $s book is deeper than $DEPTH"
done
