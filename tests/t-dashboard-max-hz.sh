#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-max-hz: the dashboard in headless chromium subscribes the
# selected symbol's book, trade, quote and xbest channels with
# "max_hz":10 (display rate) and the rest without; when wsgate answers
# max_hz with an error frame it subscribes them again without it, says so,
# and keeps showing data.  The browser side is tests/browser/maxhz.js.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"

start_redis
PORT=$(free_port)
"$BIN/wsgate" -l "127.0.0.1:$PORT" -u "$REDIS_URL" --www "$BIN/www" \
    2>"$T/wsgate.log" &
track $!
wait_for 20 http_ok "http://127.0.0.1:$PORT/healthz" ||
	fail "wsgate did not come up: $(tail -n 3 "$T/wsgate.log")"

mkdir -p "$T/profile" "$BIN/test-logs"
REDIS_PORT=$REDIS_PORT NODE_PATH="$npmdir/node_modules" \
    node "$TESTS/browser/maxhz.js" "http://127.0.0.1:$PORT/" "$T/profile" \
    "$BIN/test-logs" >&2 || fail "browser checks failed"
