#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-max-hz: the dashboard in headless chromium subscribes the
# selected symbol's book, trade, quote and xbest channels with
# "max_hz":10 (display rate) and the rest without, and says it is
# conflated once wsgate sends conflated deltas; when wsgate refuses the
# rate with an error frame it subscribes them again without max_hz, says
# so, and keeps showing data.  The browser side is tests/browser/maxhz.js.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"

start_redis
start_wsgate
redis_page maxhz.js
