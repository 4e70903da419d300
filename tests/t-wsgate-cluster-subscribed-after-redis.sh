#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# On a Redis Cluster, "subscribed" means the SSUBSCRIBE of every channel
# of the request is in effect on the node serving it (wsgate(1) "Client
# protocol", CLUSTER): three redis-server --cluster-enabled yes nodes on
# loopback (tests/cluster/cluster.sh), wsgate -u cluster://.  Ten times a
# client asks for two fresh channels in one request just after the node
# of the first was paused for 500 ms (CLIENT PAUSE ALL): the answer comes
# no sooner than the pause ends (Redis cannot have processed wsgate's
# SSUBSCRIBE before), lists both, and an SPUBLISH on each right after it
# counts a subscriber and reaches the client
# (tests/wsgate/subconf.py cluster).  wsgate exits 0 (no sanitizer
# report under make SAN=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$port_a,127.0.0.1:$port_b"
start_wsgate
/usr/bin/python3 "$TESTS/wsgate/subconf.py" cluster "$WS_URL" "$port_a" 10 500 \
    >"$T/cl.out" 2>"$T/cl.err" || fail "$(cat "$T/cl.err")"
note "$(cat "$T/cl.out")"
stop_wsgate
