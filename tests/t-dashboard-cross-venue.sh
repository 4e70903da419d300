#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-cross-venue: the dashboard in headless chromium shows, for
# the selected symbol, each venue's best bid and ask from its quote
# channel and the consolidated best from md.all.SYMBOL.xbest with the
# venue of each side; crossed and locked markets across venues are
# marked (from the quotes alone too), and venues xbest leaves out are
# shown with the reason.  Lines with chosen prices go straight into a
# private redis; wsgate relays them.  The browser side is
# tests/browser/xvenue.js; its screenshot of the crossed market is
# $BIN/test-logs/dashboard-cross-venue.png.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"

start_redis
start_wsgate
redis_page xvenue.js
