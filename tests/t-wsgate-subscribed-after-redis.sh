#!/bin/sh
# "subscribed" means Redis has the subscription (wsgate(1) "Client
# protocol"): wsgate reaches Redis through a proxy that delays what it
# sends by 150 ms (tests/wsgate/subconf.py), so each SUBSCRIBE takes
# effect that long after wsgate sent it, while the test publishes
# straight to Redis.  A message published as soon as a client gets
# "subscribed" reaches it, every time, for an exact channel, a pattern,
# a conflated channel and a request naming two channels.  While Redis
# holds back wsgate's commands, a new channel is not answered, a channel
# another client has is answered at once, answers keep the order of the
# requests, a channel unsubscribed while it waits leaves the answer, a
# 65th subscribe waiting is refused, and clients that leave while they
# wait cost nothing.  A client subscribing
# while Redis is down is answered once wsgate has reconnected.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_proxied 150
start_wsgate

sc() { /usr/bin/python3 "$TESTS/wsgate/subconf.py" "$@"; }
more_client_messages() { [ "$(metric wsgate_client_messages_total)" -gt "$1" ]; }

test_message_published_after_subscribed_is_delivered() {
	for kind in exact pattern conflated multi; do
		sc race "$WS_URL" "$REDIS_PORT" "$kind" 25 >"$T/race.out" \
		    2>"$T/race.err" || fail "$(cat "$T/race.err")"
		note "$(cat "$T/race.out")"
	done
}

test_subscribed_waits_while_redis_holds_the_command() {
	sc stalled "$WS_URL" "$REDIS_PORT" "$T" >/dev/null 2>"$T/st.err" ||
	    fail "$(cat "$T/st.err")"
}

test_subscribe_while_redis_down_answered_once_back() {
	sc down "$WS_URL" "$REDIS_PORT" "$T" >/dev/null 2>"$T/dn.err" ||
	    fail "$(cat "$T/dn.err")"
}

# wsgate stops cleanly (no leak under make SAN=1: stop_wsgate) while a
# client's answer waits for Redis
test_wsgate_stops_with_an_answer_waiting() {
	n0=$(metric wsgate_client_messages_total)
	touch "$T/stall"
	wsc_bg sub --url "$WS_URL" --channels md.st.Z.trade --count 1 \
	    --timeout 30 --ready "$T/z.ready" >/dev/null 2>&1 &
	track $!
	wait_for 10 more_client_messages "$n0" || fail "the subscribe did not come"
	sleep 0.2
	stop_wsgate
	[ ! -e "$T/z.ready" ] || fail "answered while Redis held the SUBSCRIBE"
}

test_message_published_after_subscribed_is_delivered
test_subscribed_waits_while_redis_holds_the_command
test_subscribe_while_redis_down_answered_once_back
test_wsgate_stops_with_an_answer_waiting
