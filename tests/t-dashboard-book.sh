#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-book: the dashboard in headless chromium builds its order book
# exactly from book_snapshot + book_delta messages (late-joiner keys, qty "0"
# removes, deltas with seq <= the book's ignored, a new snapshot replaces
# the book, stale after a gap until the next snapshot), shows trades newest
# first coloured by side, and lists status and gap events.  Messages with
# chosen seqs go straight into a private redis; wsgate relays them.  The
# browser side is tests/browser/book.js.
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

mkdir -p "$T/profile" "$BIN/test-artifacts"
REDIS_PORT=$REDIS_PORT NODE_PATH="$npmdir/node_modules" \
    node "$TESTS/browser/book.js" "http://127.0.0.1:$PORT/" "$T/profile" \
    "$BIN/test-artifacts" >&2 || fail "browser checks failed"
