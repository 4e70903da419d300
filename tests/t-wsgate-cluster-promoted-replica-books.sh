#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# wsgate never gives a client a wrong book from the keys of a replica
# promoted without its primary's last writes (wsgate(1) Cluster): the
# book is announced invalid at the failover and comes back with the
# channel's next live snapshot.  Six redis-server --cluster-enabled yes
# nodes on loopback ports (tests/cluster/cluster.sh, one replica each);
# redispub -u cluster:// reads a fifo the test feeds (rp-gen, 32
# symbols, a snapshot each first, the next ones in part B); wsgate -u
# cluster://; a WebSocket client (tests/cluster/wscount.py) subscribed to
# half the book channels of node a from the start.  1 s of lines; a's
# replication cut for good (CONFIG SET requirepass, CLIENT KILL TYPE
# replica); 1 s of lines that a acknowledges and its replica never gets;
# redispub stopped (SIGSTOP), so that the stale keys stay on the replica
# while wsgate follows the failover; a SIGKILLed, its replica promoted
# (CLUSTER FAILOVER TAKEOVER); once the client has had redis_up for each
# channel and a second has passed, a second client subscribes to the
# other half, channels wsgate never had (their slots were node a's:
# wsgate must not read their keys yet either), then redispub goes on
# (SIGCONT) and the rest is fed.  Then, per channel, from each snapshot the client got
# until the next book_invalid or redis_down, each client must have got
# every delta of the channel, none missed (a book it holds is right).
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
all_a=$(awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print $1 }' "$T/owners")
chans1=$(echo "$all_a" | awk 'NR % 2 == 1')
chans2=$(echo "$all_a" | awk 'NR % 2 == 0')
[ -n "$chans1" ] && [ -n "$chans2" ] ||
    fail "node a serves fewer than two book channels"
feed_split

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$port_b,127.0.0.1:$port_a,127.0.0.1:$port_c"
start_wsgate
chans=$chans1
ws_client w1

fed_redispub "$REDIS_URL" "$T/rp.err"

feed 1 4000
cut_replica_a
feed 4001 8000
sleep 0.5
kill -STOP "$rp_pid"
take_over_a
# every channel of a subscribed again on the replica, its sync done
all_up() {
	for _c in $chans; do
		grep -q "^u $_c " "$T/w1.ev" || return 1
	done
}
wait_for 20 all_up || fail "the client did not get redis_up for node a's channels"
sleep 1
chans=$chans2
# started as ws_client does, but without the feed's fd 3 (redispub must
# see its EOF), which a shell function's redirection would keep open
# shellcheck disable=SC2086 # the list of channels
/usr/bin/python3 "$TESTS/cluster/wscount.py" listen "$WS_URL" "$T/w2.ev" \
    "$T/w2.ready" "$T/stop" $chans 3>&- &
track $!
wait_for 20 test -e "$T/w2.ready" || fail "client w2 not subscribed"
sleep 0.5
kill -CONT "$rp_pid"
feed 8001 "$(wc -l <"$T/all")"
exec 3>&-
wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
sleep 1
touch "$T/stop"
sleep 0.5
stop_wsgate

booked w1 "$chans1"
booked w2 "$chans2"
grep -q "^u " "$T/w1.ev" || fail "no redis_up"
exit 0
