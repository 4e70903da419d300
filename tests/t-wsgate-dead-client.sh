#!/bin/sh
# wsgate pings every --ping-interval; a client that answers nothing for
# --idle-timeout is closed (1008 "idle timeout") and its TCP connection
# dropped, while a live client (its library answers pings) stays.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --ping-interval 1 --idle-timeout 3

wsc_bg wait-close --url "$WS_URL" --hold 8 >"$T/live.out" 2>&1 &
live=$!
track $live
wsc dead --url "$WS_URL" --wait 7 >"$T/dead.out" 2>&1 ||
    fail "dead client: $(cat "$T/dead.out")"
note "$(cat "$T/dead.out")"
wait "$live" || fail "live client was closed: $(cat "$T/live.out")"
assert_eq "idle timeouts counted" 1 "$(metric wsgate_idle_timeouts_total)"
stop_wsgate
