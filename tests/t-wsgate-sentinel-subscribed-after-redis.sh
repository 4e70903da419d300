#!/bin/sh
# shellcheck disable=SC2154 # addr_*, port_*: from tests/sentinel/lib.sh
# With a sentinel:// URL, "subscribed" means the replica wsgate follows
# has the subscription (wsgate(1) "Client protocol"): a primary, two
# replicas and three Sentinels on loopback (tests/sentinel/lib.sh),
# wsgate --replica on replica 1.  Eight times a client asks for a fresh
# channel just after replica 1 was paused for 500 ms (CLIENT PAUSE ALL):
# the answer comes no sooner than the pause ends, and a PUBLISH on the
# primary right after it reaches the client through the replica
# (tests/wsgate/subconf.py replica).  wsgate exits 0 (no sanitizer
# report under make SAN=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/sentinel/lib.sh"

start_redis_set
WS_PORT=$(free_port)
"$BIN/wsgate" -v -d 3 -l "127.0.0.1:$WS_PORT" -u "$SENTINEL_URL" \
    --replica "$addr_r1:$port_r1" 3>"$T/ready" 2>"$T/wsgate.log" &
WS_PID=$!
track "$WS_PID"
wait_for 20 test -s "$T/ready" || fail "wsgate not ready: $(tail -n 3 "$T/wsgate.log")"
/usr/bin/python3 "$TESTS/wsgate/subconf.py" replica "ws://127.0.0.1:$WS_PORT/ws" \
    "$port_r1" "$port_p" 8 500 >"$T/rp.out" 2>"$T/rp.err" ||
    fail "$(cat "$T/rp.err")"
note "$(cat "$T/rp.out")"
grep -q "Sentinels name [^ ]*:$port_r1" "$T/wsgate.log" ||
    fail "wsgate did not follow replica 1: $(grep Sentinels "$T/wsgate.log")"
stop_wsgate
