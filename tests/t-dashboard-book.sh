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
start_wsgate
redis_page book.js
