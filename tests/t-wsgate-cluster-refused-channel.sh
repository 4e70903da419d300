#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# On a Redis Cluster too, a channel Redis refuses costs only the client
# asking for it (wsgate(1) "Client protocol", CLUSTER): three nodes on
# loopback (tests/cluster/cluster.sh), each with an ACL user that may
# use the channels md.ok* alone (&md.ok*), wsgate -u cluster:// as that
# user.  Client A, subscribed to md.ok.a, gets 12000 messages SPUBLISHed
# at 3000 a second, every seq once and in order, with no redis_down;
# meanwhile client B, five times, asks for two channels the nodes refuse
# (-NOPERM to wsgate's SSUBSCRIBE) with md.ok.b: each time an error
# frame per refused channel, then "subscribed" with md.ok.b alone
# (tests/wsgate/refused.py).  wsgate asks each refused channel once per
# request, not again and again: 10 refusals counted
# (wsgate_redis_refused_total).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up
for p in $PORTS; do
	redis-cli -p "$p" ACL SETUSER gw on '>gw-secret' '~*' resetchannels \
	    '&md.ok*' '+@all' >/dev/null || fail "ACL SETUSER on $p"
done

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://gw:gw-secret@127.0.0.1:$port_a,127.0.0.1:$port_b"
start_wsgate
/usr/bin/python3 "$TESTS/wsgate/refused.py" "$WS_URL" "$port_a" SPUBLISH \
    md.ok.a md.ok.b 'md.secret.x,md.secret.y' \
    >"$T/refused.out" 2>"$T/refused.err" ||
    fail "$(cat "$T/refused.err"); wsgate: $(grep -c 'NOPERM' "$T/wsgate.log") refusals logged"
note "$(cat "$T/refused.out")"
# B asked 5 times for 2 channels: as many SSUBSCRIBEs refused, no retry
assert_eq "refusals counted" 10 "$(metric wsgate_redis_refused_total)"
stop_wsgate
