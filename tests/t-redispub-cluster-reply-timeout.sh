#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# t-redispub-cluster-reply-timeout: on a 3-node Redis Cluster a primary
# that takes the commands and never answers them (SIGSTOP: a node the
# scheduler does not run, as one behind a network that drops
# everything) has its connection given up on after --reply-timeout
# seconds with nothing read from it while it owes replies, said, and
# made again, what it had in flight sent again (redispub(1)
# --reply-timeout, CLUSTER).  redispub waited silently, its lines piling
# up, until TCP's keepalive gave up hours later: --reply-timeout was
# not for cluster://.  No failover (no replicas, cluster-node-timeout
# 60 s).  Node b is stopped for longer than --reply-timeout 2 while
# redispub is fed 32 symbols at 1000 lines/s, then goes on: every line
# reaches its channel's subscriber in order, once (at least once on
# b), and redispub exits 0 with none dropped.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
# no failover of the stopped node: longer than the test
# shellcheck disable=SC2034 # read by cluster_node
CLUSTER_NODE_TIMEOUT=60000
cluster_up
sim_channels
for p in $PORTS; do
	# shellcheck disable=SC2046 # the channels of node p
	cl_sub "n$p" "$p" $(awk -v p="$p" '$3 == p { print $1 }' "$T/owners")
done

gen_fifo --count 7000 --rate 1000 --symbols 32 --snapshot-every 100
"$RP" -u "cluster://127.0.0.1:$port_a" --reply-timeout 2 \
    --flush-timeout 20 --stats-interval 0 <"$T/fifo" 2>"$T/rp.err" &
rp_pid=$!
track "$rp_pid"
sleep 1.5
kill -STOP "$pid_b"
hung="node [^ ]*:$port_b: no reply for 2 s with [0-9]* commands in flight (--reply-timeout)"
wait_for 8 grep -q "$hung" "$T/rp.err" || {
	kill -CONT "$pid_b"
	fail "node b stopped for 8 s, redispub did not give up on its connection; it said: $(tail -n 3 "$T/rp.err" | grep . || echo nothing)"
}
kill -CONT "$pid_b"
wait_for 15 grep -q "node [^ ]*:$port_b: reconnected" "$T/rp.err" ||
    fail "node b not reconnected: $(tail -n 3 "$T/rp.err")"
wait_pid 60 "$rp_pid" "redispub, at the end of its input,"
rc=$?
grep 'redis cluster' "$T/rp.err" | sed 's/^/  redispub: /' >&2
assert_eq "exit status" 0 "$rc"
assert_eq "dropped" 0 "$(counter dropped "$T/rp.err")"
assert_eq "hangs said" 1 "$(grep -c "$hung" "$T/rp.err")"
sleep 0.5
/usr/bin/python3 "$TESTS/cluster/delivered.py" "$T" - "$port_b" ||
    fail "delivery check failed"
exit 0
