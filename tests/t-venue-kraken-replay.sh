#!/bin/sh
# Kraken, replayed from real recorded book traffic: ten pairs subscribed
# at depth 1000 on the v1 API, snapshots and 4269 updates each with the
# venue's checksum (tests/fixtures/venues/README.md), re-framed as the v2
# messages carrying the same levels, texts and checksums
# (tests/mock/kraken_v1to2.py) and served by the mock exchange.  The
# collector verifies every checksum (none may fail), and after every ring
# book message and at the end the book a reader builds from the ring is
# the book rebuilt from the same frames (tests/mock/rebuild.py, which
# verifies the checksums too), level by level, text for text.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

V1="$TESTS/fixtures/venues/kraken_v1_book_20210417.jsonl.xz"
CAP="$T/kraken_v2.jsonl"
SYMS=ADA-BTC,BTC-CHF,ETH-CHF,GRT-ETH,KSM-BTC,OCEAN-BTC,OMG-USD,SC-EUR,WAVES-EUR,XMR-USD

$PY "$TESTS/mock/kraken_v1to2.py" "$V1" "$CAP" || fail "re-framing failed"
# 31 s of traffic at ten times its pace, once the client has subscribed
# (book and trade).
mock_replay "$CAP" 2 10
collector_start -v --depth 1000 \
    --url "kraken=wss://127.0.0.1:$MOCK_PORT/v2" "kraken:$SYMS"
replay_wait kraken 20
collector_stop
assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
grep -q 'kraken: msgs [0-9]* data [0-9]* malformed 0 resyncs 0 ' "$T/collector.err" ||
    fail "counters: $(grep 'kraken: msgs' "$T/collector.err" | tail -n 1)"
replay_check kraken "$CAP" "$SYMS" 1000
