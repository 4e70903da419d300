#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-candles: the dashboard in headless chromium draws one candle
# a bar line of md.VENUE.SYMBOL.bar-1s for the selected venue and symbol
# (rising green, falling red, the last bar's prices in the heading as
# sent, an interval without trades said so), and picking bar-1m switches
# to that channel's bars.  Lines with chosen prices go straight into a
# private redis; wsgate relays them.  The browser side is
# tests/browser/candles.js; its screenshot is
# $BIN/test-logs/dashboard-candles.png.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"

start_redis
start_wsgate
redis_page candles.js
