#!/bin/sh
# A client that keeps up gets every message, however large, with the
# default --output-cap (1 MiB), which does not count the largest message
# queued: three lines of 1048576 bytes, the longest redispub(1)
# publishes, reach wsgate back to back (one write to Redis), then a
# short one; the client gets all four whole and in order, and is neither
# closed nor counted as slow.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

wsc_bg sub --url "$WS_URL" --channels md.big.x.trade --count 4 \
    --timeout 30 --ready "$T/c.ready" >"$T/c.out" 2>"$T/c.err" &
pid=$!
track $pid
wait_for 20 test -e "$T/c.ready" || fail "client not subscribed"
# rpub.py's message is 58 bytes and its pad (seq 1 to 3)
sent=$(/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" \
    md.big.x.trade 3 --size $((1048576 - 58)) --burst)
assert_eq "large messages published" 3 "$sent"
sent=$(/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" \
    md.big.x.trade 1 --first 4)
assert_eq "short message published" 1 "$sent"
wait "$pid" || fail "client: $(cat "$T/c.err")"
# after the "subscribed" answer: each message's seq and length
got=$(sed 1d "$T/c.out" | awk '{ match($0, /"seq":[0-9]*/)
	printf "%s/%d ", substr($0, RSTART + 6, RLENGTH - 6), length($0) }')
assert_eq "messages (seq/bytes)" "1/1048576 2/1048576 3/1048576 4/58 " "$got"
assert_eq "slow disconnects" 0 "$(metric wsgate_slow_client_disconnects_total)"
stop_wsgate
