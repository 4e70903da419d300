#!/bin/sh
# /metrics is valid Prometheus text (parsed by python3-prometheus-client)
# with the documented families, and its counters move with traffic.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
    skip "python3-prometheus-client not installed"

start_redis
start_wsgate

scrape() {
	wsc http /metrics --url "$HTTP_URL" | tr -d '\r' | sed '1,/^$/d' >"$1"
	/usr/bin/python3 - "$1" <<'PY' || fail "metrics do not parse: $(head -n 3 "$1")"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
need = ["wsgate_clients", "wsgate_subscriptions", "wsgate_messages_in",
        "wsgate_messages_out", "wsgate_bytes_in", "wsgate_bytes_out",
        "wsgate_dropped", "wsgate_slow_client_disconnects",
        "wsgate_redis_reconnects", "wsgate_uptime_seconds"]
missing = [n for n in need if n not in fams]
assert not missing, missing
PY
}
val() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

scrape "$T/m0"
wsc_bg sub --url "$WS_URL" --channels md.m.x.trade --count 20 \
    --ready "$T/r" >/dev/null 2>&1 &
c=$!
track $c
wait_for 20 test -e "$T/r" || fail "client not subscribed"
scrape "$T/m1"
assert_eq "clients" 1 "$(val "$T/m1" wsgate_clients)"
assert_eq "subscriptions" 1 "$(val "$T/m1" wsgate_subscriptions)"
/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" md.m.x.trade 20 >/dev/null
wait "$c" || fail "client did not get 20 messages"
scrape "$T/m2"
assert_eq "messages in" 20 "$(val "$T/m2" wsgate_messages_in_total)"
assert_eq "messages out" 20 "$(val "$T/m2" wsgate_messages_out_total)"
b0=$(val "$T/m0" wsgate_bytes_out_total)
b2=$(val "$T/m2" wsgate_bytes_out_total)
[ "${b2%.*}" -gt "${b0%.*}" ] || fail "bytes out did not move"
u0=$(val "$T/m0" wsgate_uptime_seconds)
u2=$(val "$T/m2" wsgate_uptime_seconds)
/usr/bin/python3 -c "import sys; sys.exit(not $u2 > $u0)" || fail "uptime did not move"
stop_wsgate
