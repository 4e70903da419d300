#!/bin/sh
# The commands connection's lookup of a Redis host name is bounded by
# --redis-timeout, as the subscriber connection's is (wsgate(1) -u):
# with /etc/resolv.conf naming a name server that never answers and
# allowing it 30 s (tests/wsgate/dns.py, bind-mounted in this test's
# own mount namespace), and --redis-timeout 1, both connections give
# the name up after 1 s and say so, "name lookup of HOST: no answer in
# 1000 ms", then try it again; wsgate exits 0 with lookups in flight.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/dns.sh"

# bounded WHICH: wsgate said WHICH's lookup was given up at the bound
bounded() {
	grep -q "redis $1: name lookup of mute.tp-test: no answer in 1000 ms" \
	    "$T/wsgate.log"
}
# tried N: the commands connection gave the name up N times at least
tried() { [ "$(grep -c "redis commands: name lookup" "$T/wsgate.log")" -ge "$1" ]; }

start_redis
dns_start dns
dns_mount dns "timeout:30 attempts:1"

# not start_wsgate: readiness waits for Redis
WS_PORT=$(free_port)
"$BIN/wsgate" -v -l "127.0.0.1:$WS_PORT" --redis-timeout 1 \
    -u "redis://mute.tp-test:$REDIS_PORT" 2>"$T/wsgate.log" &
WS_PID=$!
track "$WS_PID"
wait_for 15 bounded subscriber ||
    fail "the subscriber's lookup not bounded: $(tail -n 3 "$T/wsgate.log")"
wait_for 15 bounded commands ||
    fail "the commands connection's lookup not bounded: $(grep commands "$T/wsgate.log" | tail -n 3)"
wait_for 15 tried 2 ||
    fail "the name not tried again: $(grep commands "$T/wsgate.log" | tail -n 3)"
stop_wsgate
