#!/bin/sh
# A Redis given by a host name is looked up on wsgate's event loop
# (wsgate(1) NAME LOOKUP): with /etc/resolv.conf naming a name server
# that never answers (tests/wsgate/dns.py; /etc/resolv.conf and
# /etc/hosts bind-mounted in this test's own mount namespace), wsgate
# keeps trying the name, says why, and meanwhile answers /healthz as
# ever: 20 requests, 200 ms apart, each within 750 ms (looked up with
# hiredis's getaddrinfo, which blocks, some waited the 3 s resolv.conf
# allows).  Then a Redis named by a name the server answers: both
# connections come up through it and a message reaches a client; and
# wsgate exits 0 with a lookup in flight.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"
. "$TESTS/wsgate/dns.sh"

# tried: wsgate said at least $1 times that the silent name failed
tried() { [ "$(grep -c "redis commands: .*name resolution" "$T/wsgate.log")" -ge "$1" ]; }

start_redis
dns_start dns redis.tp-test=127.0.0.1
dns_mount dns "timeout:3 attempts:1"

# not start_wsgate: readiness waits for Redis
WS_PORT=$(free_port)
# shellcheck disable=SC2034 # read by healthz_prompt
HTTP_URL="http://127.0.0.1:$WS_PORT"
"$BIN/wsgate" -v -l "127.0.0.1:$WS_PORT" -u "redis://mute.tp-test:$REDIS_PORT" \
    2>"$T/wsgate.log" &
WS_PID=$!
track "$WS_PID"
wait_for 20 tried 1 || fail "the name not tried: $(tail -n 3 "$T/wsgate.log")"
grep -q "^mute.tp-test 1$" "$T/dns.log" ||
    fail "the name server not asked: $(cat "$T/dns.log")"
before=$(grep -c "redis commands: .*name resolution" "$T/wsgate.log")
healthz_prompt 750
note "healthz ms: $(paste -sd' ' "$T/probe.out")"
grep -q "redis subscriber: name lookup of mute.tp-test: " "$T/wsgate.log" ||
    fail "the subscriber's failure does not name the host: $(grep subscriber "$T/wsgate.log" | tail -n 2)"
# with the lookups in flight: exit 0, nothing leaked (make SAN=1)
stop_wsgate
tried "$((before + 1))" ||
    fail "the name not tried again while probing: $(tail -n 3 "$T/wsgate.log")"

REDIS_URL="redis://redis.tp-test:$REDIS_PORT"
start_wsgate
wait_for 20 grep -q "redis subscriber: connected" "$T/wsgate.log" ||
    fail "no subscriber connection by name: $(tail -n 3 "$T/wsgate.log")"
wait_for 20 grep -q "redis commands: connected" "$T/wsgate.log" ||
    fail "no commands connection by name: $(tail -n 3 "$T/wsgate.log")"
sub_client md.a.X.trade
rcli publish md.a.X.trade '{"type":"trade","seq":5}' >/dev/null
wait_for 10 grep -q '"seq":5' "$T/c.out" || fail "no message: $(cat "$T/c.err")"
stop_wsgate
