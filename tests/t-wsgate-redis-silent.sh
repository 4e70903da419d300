#!/bin/sh
# A Redis that stops answering is lost: wsgate's subscriber connection,
# sent a message slowly (16 bytes every 0.25 s, longer than
# --redis-timeout 1 in all) and then nothing, not even the answer to a
# PING, takes the slow message as life (no redis_down while it comes),
# then declares Redis down within a few seconds of the silence (clients
# get redis_down, /healthz 503, wsgate_redis_up 0), and reconnects
# (redis_up).  The fake Redis is tests/wsgate/fakeresp.py trickle.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis trickle
start_wsgate --redis-timeout 1
sub_client md.f.X.trade
wait_for 20 grep -q '"seq":2' "$T/c.out" ||
    fail "the slow message and the next did not come: $(cat "$T/c.out")"
sed '/"seq":2/q' "$T/c.out" | grep -q redis_down &&
    fail "redis_down while Redis was sending: $(cat "$T/c.out")"
grep -q '"seq":1' "$T/c.out" || fail "the slow message was lost"
wait_for 15 grep -q '"status":"redis_down"' "$T/c.out" ||
    fail "no redis_down from a silent Redis: $(tail -n 5 "$T/wsgate.log")"
wait_for 15 grep -q '"status":"redis_up"' "$T/c.out" ||
    fail "no redis_up after the reconnection: $(tail -n 5 "$T/wsgate.log")"
grep -q 'no reply in 1000 ms' "$T/wsgate.log" ||
    fail "the loss not said: $(tail -n 5 "$T/wsgate.log")"
stop_wsgate
