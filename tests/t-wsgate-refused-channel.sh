#!/bin/sh
# A channel Redis refuses costs only the client asking for it (wsgate(1)
# "Client protocol"): wsgate logs in as an ACL user that may use the
# channels md.ok* alone (Redis 7: &md.ok*).  Client A, subscribed to
# md.ok.a, gets a publication of 12000 messages at 3000 a second, every
# seq once and in order, with no redis_down; meanwhile client B, five
# times, asks for two channels and a pattern Redis refuses (the pattern
# through the cover PSUBSCRIBE md.*) with md.ok.b: each time an error
# frame per refused name with Redis's NOPERM, then "subscribed" with
# md.ok.b alone, which then brings it messages
# (tests/wsgate/refused.py).  wsgate's subscriber connection is never
# lost (one "connected" in its log, no reconnection counted), and it
# asks Redis once per request: 15 refusals counted
# (wsgate_redis_refused_total: 5 times 2 channels and the cover).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
rcli ACL SETUSER gw on '>gw-secret' '~*' 'resetchannels' '&md.ok*' '+@all' \
    >/dev/null || fail "ACL SETUSER"
# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="redis://gw:gw-secret@127.0.0.1:$REDIS_PORT"
start_wsgate
wait_for 10 metric_is wsgate_redis_up 1 || fail "wsgate not connected"

/usr/bin/python3 "$TESTS/wsgate/refused.py" "$WS_URL" "$REDIS_PORT" PUBLISH \
    md.ok.a md.ok.b 'md.secret.x,md.secret.y,md.secret.*' \
    >"$T/refused.out" 2>"$T/refused.err" ||
    fail "$(cat "$T/refused.err") (wsgate: $(grep -c 'subscriber: connected' "$T/wsgate.log") connections)"
note "$(cat "$T/refused.out")"
assert_eq "subscriber connections" 1 "$(grep -c 'redis subscriber: connected' "$T/wsgate.log")"
assert_eq "reconnections" 0 "$(metric wsgate_redis_reconnects_total)"
assert_eq "refusals counted" 15 "$(metric wsgate_redis_refused_total)"
stop_wsgate
