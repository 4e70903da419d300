#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# On a Redis Cluster, a node's connection is up only once the node has
# answered its first command (wsgate(1) CLUSTER, as for one Redis): a
# node that refuses wsgate's AUTH (WRONGPASS: its ACL user's password
# changed there alone, the default user given one there too, wsgate's
# connections to it cut) is retried with the backoff, 100 ms doubling
# to 5 s, and Redis is not up meanwhile (wsgate_redis_up 0, /healthz
# 503).  The connection counted as up as soon as the socket connected
# (wsgate_redis_up 1), and stayed, refused, the SSUBSCRIBEs sent on it
# answered -NOAUTH.  In 4 s: 100+200+400+800+1600 ms, 5 tries of each of
# its two connections, and a read of the slot map after each of the
# subscription's: say 24 connections to the node; the client gets one
# redis_down and no redis_up until the password is right again, then
# redis_up and messages.  Three nodes on loopback
# (tests/cluster/cluster.sh), an ACL user gw on each, wsgate -u
# cluster:// as gw.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up
for p in $PORTS; do
	redis-cli -p "$p" ACL SETUSER gw on '>gw-secret' '~*' '&*' '+@all' \
	    >/dev/null || fail "ACL SETUSER on $p"
done
# a channel node a serves
# shellcheck disable=SC2046 # the candidates
chan=$(cl slots "$port_a" $(printf 'md.a.S%d.trade ' 1 2 3 4 5 6 7 8 9 10 \
    11 12 13 14 15 16) | awk -v p="$port_a" '$3 == p { print $1; exit }')
[ -n "$chan" ] || fail "no channel on node a"

# conns: the connections node a has accepted, this one included
conns() {
	REDISCLI_AUTH=adm redis-cli -p "$port_a" info stats | tr -d '\r' |
	    sed -n 's/^total_connections_received://p'
}

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://gw:gw-secret@127.0.0.1:$port_a,127.0.0.1:$port_b"
start_wsgate
sub_client "$chan"
printf '%s\n' 'ACL SETUSER gw resetpass >changed' 'CONFIG SET requirepass adm' \
    'CLIENT KILL USER gw' | redis-cli -p "$port_a" >/dev/null
wait_for 20 grep -q '"status":"redis_down"' "$T/c.out" ||
    fail "no redis_down: $(tail -n 5 "$T/wsgate.log")"
c0=$(conns)
sleep 4
c=$(($(conns) - c0 - 1))
up=$(metric wsgate_redis_up)
health=$(wsc http /healthz --url "$HTTP_URL" | head -n 1 | tr -d '\r')
ups=$(grep -c '"status":"redis_up"' "$T/c.out")
downs=$(grep -c '"status":"redis_down"' "$T/c.out")
note "$c connections to node a in 4 s; $(grep -c 'WRONGPASS\|NOAUTH' \
    "$T/wsgate.log") refusals logged"
assert_eq "wsgate_redis_up while AUTH is refused" 0 "$up"
assert_eq "/healthz while AUTH is refused" \
    "HTTP/1.1 503 Service Unavailable" "$health"
assert_eq "redis_up while AUTH is refused" 0 "$ups"
assert_eq "redis_down while AUTH is refused" 1 "$downs"
[ "$c" -le 24 ] || fail "$c connections to node a in 4 s"
printf '%s\n' 'ACL SETUSER gw resetpass >gw-secret' 'CONFIG SET requirepass ""' |
    REDISCLI_AUTH=adm redis-cli -p "$port_a" >/dev/null
wait_for 20 grep -q '"status":"redis_up"' "$T/c.out" ||
    fail "no redis_up once AUTH passes: $(tail -n 5 "$T/wsgate.log")"
redis-cli -p "$port_a" SPUBLISH "$chan" '{"type":"trade","seq":5}' >/dev/null
wait_for 10 grep -q '"seq":5' "$T/c.out" || fail "no message after redis_up"
stop_wsgate
