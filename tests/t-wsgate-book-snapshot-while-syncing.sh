#!/bin/sh
# A live snapshot ends a book's sync (wsgate(1) "late joiners"): while a
# client's first book is being read from its keys and its second waits
# its turn, a snapshot published on either reaches the client at once,
# its deltas follow, and the reads, let through after, send nothing
# twice.  wsgate reaches Redis through a proxy (tests/wsgate/subconf.py)
# that holds its key reads back while the test publishes straight to
# Redis; the book keys are empty, as after a loss, so a snapshot dropped
# while the book waited would leave the client without a book.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_proxied 0
start_wsgate

test_live_snapshot_ends_the_sync() {
	/usr/bin/python3 "$TESTS/wsgate/subconf.py" booksync "$WS_URL" \
	    "$REDIS_PORT" "$T" >/dev/null 2>"$T/bs.err" ||
	    fail "$(cat "$T/bs.err")"
}

test_live_snapshot_ends_the_sync
