#!/bin/sh
# A venue endpoint whose certificate is not trusted (the system store
# does not know the test CA) is refused: a disconnected status naming the
# verification failure, and no data (the other t-venue tests connect the
# same way with --ca-file and are accepted).  A --ca-file that cannot be
# read is said with its reason.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

printf 'conn\nexpect 2\nsend {"channel":"heartbeat"}\n' >"$T/s"
mock_start "$T/s"
"$BIN/collector" --ring "$RING" --snapshot-interval 0 \
    --url "kraken=wss://127.0.0.1:$MOCK_PORT/v2" kraken:BTC-USD \
    2>"$T/err" &
pid=$!
track "$pid"
wait_for 20 ring_has '"status":"disconnected"' || fail "no disconnected status"
kill -TERM "$pid"
wait "$pid" || fail "collector exit status"
ring_has '"status":"disconnected","reason":"TLS: certificate verify failed' ||
    fail "reason: $(ring_jsonl | grep disconnected | head -n 1)"
assert_eq "connected records" 0 "$(ring_count '"status":"connected"')"
assert_eq "subscriptions seen by the server" 0 "$(mock_count 'recv')"

# a --ca-file that cannot be read: said with the reason (OpenSSL gives
# none: it said "(null)"), exit 66
"$BIN/collector" --ring "$RING" --ca-file "$T/no-such-ca.pem" \
    kraken:BTC-USD 2>"$T/err2"
assert_eq "--ca-file missing: exit status" 66 "$?"
grep -q "$T/no-such-ca.pem: cannot load CA certificates: No such file or directory" \
    "$T/err2" || fail "--ca-file missing: $(cat "$T/err2")"
