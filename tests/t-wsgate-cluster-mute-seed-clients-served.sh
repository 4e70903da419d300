#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# Seed nodes that accept and never answer do not stall wsgate (wsgate(1)
# CLUSTER): with cluster://MUTE1,MUTE2,A, MUTE1 and MUTE2 sockets of
# tests/wsgate/mute.py listen and A a node of a three-node Redis Cluster
# (tests/cluster/cluster.sh), each read of the slot map asks MUTE1 and
# MUTE2 first, for 500 ms each, then A.  Node B closing wsgate's connections (CLIENT KILL,
# every 600 ms) has the map read again and again, and meanwhile wsgate
# answers /healthz as ever: 20 requests, 200 ms apart, each within
# 500 ms, while the map is read at least twice (read with blocking calls
# on the event loop, some waited up to a second; the mended gateway
# answers within 60 ms, so the bound leaves room on a loaded machine).  wsgate exits 0 (no sanitizer
# report under make SAN=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"

reads() { grep -c 'slot map read' "$T/wsgate.log"; }
# read_once: wsgate read the slot map at least once
read_once() { [ "$(reads)" -ge 1 ]; }
# kill_b N: node B closes every connection but its own, N times, 600 ms
# apart
kill_b() {
	_k=0
	while [ "$_k" -lt "$1" ]; do
		redis-cli -p "$port_b" client kill skipme yes >/dev/null 2>&1
		sleep 0.6
		_k=$((_k + 1))
	done
}

/usr/bin/python3 "$TESTS/wsgate/mute.py" listen 2 "$T/ports" 2>"$T/mute.err" &
track $!
wait_for 10 test -s "$T/ports" || fail "mute.py did not listen: $(cat "$T/mute.err")"
MUTE1=$(sed -n 1p "$T/ports") MUTE2=$(sed -n 2p "$T/ports")
cluster_up

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$MUTE1,127.0.0.1:$MUTE2,127.0.0.1:$port_a"
start_wsgate
wait_for 20 read_once || fail "the slot map not read: $(tail -n 3 "$T/wsgate.log")"
before=$(reads)
kill_b 8 &
track $!
healthz_prompt 500
after=$(reads)
[ "$after" -ge $((before + 2)) ] ||
    fail "the slot map not read again while probing ($before, then $after reads): $(tail -n 3 "$T/wsgate.log")"
note "healthz ms: $(paste -sd' ' "$T/probe.out"); map reads: $((after - before))"
stop_wsgate
