#!/bin/sh
# Refusals at the handshake, each with its HTTP status and counter:
# --origin allow-list (403), --token-file (401 without ?token= or
# Authorization: Bearer), --max-clients (503).  Same-origin is the
# default without --origin.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
printf 's3cret-token\n' >"$T/token"

status() {
	want=$1
	shift
	wsc status --url "$WS_URL" --expect "$want" "$@" >"$T/out" 2>&1 ||
	    fail "expected $want: $(cat "$T/out")"
}

test_origin_not_in_allow_list_gets_403() {
	start_wsgate --origin 'https://good.example,http://localhost:8080'
	status 101 --origin https://good.example
	status 101 --origin http://localhost:8080
	status 403 --origin https://evil.example
	status 101
	assert_eq "origin refusals counted" 1 \
	    "$(metric 'wsgate_refused_total{reason="origin"}')"
	stop_wsgate
}

test_default_is_same_origin() {
	start_wsgate
	status 101 --origin "http://127.0.0.1:$WS_PORT"
	status 403 --origin "http://127.0.0.1:1"
	stop_wsgate
}

test_missing_or_wrong_token_gets_401() {
	start_wsgate --token-file "$T/token"
	base=$WS_URL
	status 401
	WS_URL="$base?token=wrong" status 401
	WS_URL="$base?x=1&token=s3cret-token" status 101
	status 101 --header 'Authorization: Bearer s3cret-token'
	status 401 --header 'Authorization: Bearer s3cret-tokeN'
	WS_URL=$base
	assert_eq "token refusals counted" 3 \
	    "$(metric 'wsgate_refused_total{reason="token"}')"
	stop_wsgate
}

test_client_over_max_clients_gets_503() {
	start_wsgate --max-clients 2
	wsc_bg status --url "$WS_URL" --expect 101 --hold 30 >/dev/null 2>&1 &
	h1=$!
	wsc_bg status --url "$WS_URL" --expect 101 --hold 30 >/dev/null 2>&1 &
	h2=$!
	track $h1
	track $h2
	wait_for 20 metric_is wsgate_clients 2 ||
	    fail "two clients did not connect"
	status 503
	assert_eq "max-clients refusals counted" 1 \
	    "$(metric 'wsgate_refused_total{reason="max_clients"}')"
	kill "$h1" "$h2" 2>/dev/null
	wait_for 20 metric_is wsgate_clients 0 ||
	    fail "clients not gone"
	status 101
}

test_origin_not_in_allow_list_gets_403
test_default_is_same_origin
test_missing_or_wrong_token_gets_401
test_client_over_max_clients_gets_503
stop_wsgate
