#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A wsgate started during a failover, before redispub has deleted the
# keys a promoted replica holds stale, gives no book from them: the
# owner mark {C}.owner on the replica still names the lost primary, not
# the node the keys are read from (tickpipe(7), wsgate(1) Cluster).
# Six redis-server --cluster-enabled yes nodes on loopback ports
# (tests/cluster/cluster.sh, one replica each); redispub -u cluster://
# reads a fifo the test feeds (rp-gen, 32 symbols, a snapshot each
# first, the next ones in part B).  1 s of lines; a's replication cut
# for good; 1 s of lines that a acknowledges and its replica never
# gets; redispub stopped (SIGSTOP); a SIGKILLed, its replica promoted.
# Then the replica's {C}.owner names node a; only now a wsgate starts,
# -u cluster:// seeded with b and c, and a WebSocket client subscribes
# to every book channel of a's slots; then redispub goes on (SIGCONT),
# the rest is fed, and the replica's {C}.owner names the replica (and
# b's, of a channel of b, names b).  Per
# channel, from each snapshot the client got until the next
# book_invalid or redis_down, it must have got every delta, none missed.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
need_redispub

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
# shellcheck disable=SC2034 # read by cluster_up
CLUSTER_REPLICAS=1
cluster_up

replica_of_a
sim_channels
chans=$(awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print $1 }' "$T/owners")
[ -n "$chans" ] || fail "node a serves no book channel"
one=$(echo "$chans" | head -n 1)
feed_split

fed_redispub "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" "$T/rp.err"

feed 1 4000
mark_a=$(owner_mark "$port_a")
mark_rep=$(owner_mark "$rep_a")
assert_eq "$one's owner mark on node a" "$mark_a" \
    "$(redis-cli -p "$port_a" get "{$one}.owner")"
cut_replica_a
feed 4001 8000
sleep 0.5
kill -STOP "$rp_pid"
take_over_a
# the stale copies: a snapshot, and the mark of the node they came from
[ -n "$(redis-cli -p "$rep_a" get "{$one}.snapshot")" ] ||
    fail "no snapshot of $one on the promoted replica"
assert_eq "$one's owner mark on the promoted replica, redispub stopped" \
    "$mark_a" "$(redis-cli -p "$rep_a" get "{$one}.owner")"

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$port_b,127.0.0.1:$port_c"
start_wsgate
# started as ws_client does, but without the feed's fd 3 (redispub must
# see its EOF), which a shell function's redirection would keep open
# shellcheck disable=SC2086 # the list of channels
/usr/bin/python3 "$TESTS/cluster/wscount.py" listen "$WS_URL" "$T/w1.ev" \
    "$T/w1.ready" "$T/stop" $chans 3>&- &
track $!
wait_for 20 test -e "$T/w1.ready" || fail "client w1 not subscribed"
sleep 1
kill -CONT "$rp_pid"
feed 8001 "$(wc -l <"$T/all")"
exec 3>&-
wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
for c in $chans; do
	assert_eq "$c's owner mark on the promoted replica, redispub done" \
	    "$mark_rep" "$(redis-cli -p "$rep_a" get "{$c}.owner")"
done
other=$(awk -v p="$port_b" '$3 == p && $1 ~ /book$/ { print $1; exit }' "$T/owners")
assert_eq "$other's owner mark on node b" \
    "$(owner_mark "$port_b")" \
    "$(redis-cli -p "$port_b" get "{$other}.owner")"
sleep 1
touch "$T/stop"
sleep 0.5
stop_wsgate
booked w1 "$chans"
grep -q "owned by $mark_a," "$T/wsgate.log" ||
    fail "wsgate never found node a's mark on the keys it read"
exit 0
