#!/bin/sh
# The answer to {"op":"channels"} reaches the client that asked however
# many channels md.channels holds (redispub(1) adds them and nothing
# takes them away): 40000 names make an answer past the default
# --output-cap (1 MiB), which does not count the largest message queued;
# the client gets it whole and stays open.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

n=40000
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
	printf "SADD md.channels md.venue%05d.BTC-USD.trade\n", i }' |
    rcli >/dev/null
assert_eq "channels in md.channels" "$n" "$(rcli scard md.channels)"
got=$(wsc proto channels --url "$WS_URL" 2>"$T/c.err") ||
    fail "client: $(cat "$T/c.err")"
assert_eq "answer" "$n channels, then pong" "$got"
assert_eq "slow disconnects" 0 "$(metric wsgate_slow_client_disconnects_total)"
stop_wsgate
