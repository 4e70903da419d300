#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by node() through eval
# wsgate on a 3-node Redis Cluster (wsgate(1) CLUSTER): WebSocket
# clients on wsgate -u cluster:// get every channel's messages, in
# order, and every loss announced, through the migration of the slots
# of four channels and the loss of wsgate's connection to a node.
# Hosts are simulated by distinct loopback ports on 127.0.0.1 (no
# network namespaces): three redis-server --cluster-enabled yes nodes
# joined by redis-cli --cluster create (no replicas).  rp-gen at 4000
# lines/s on 64 channels (32 symbols, trade and book) -> redispub -u
# cluster:// (SPUBLISH); wsgate -u cluster:// SSUBSCRIBEs each channel on
# its slot's node; two clients (tests/cluster/wscount.py) subscribe to
# all 64 by name.  While publishing, the slots of four channels move
# from node a to b (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE),
# then node c closes wsgate's subscription connection (CLIENT KILL TYPE
# pubsub).  Each client must have every line of every channel in seq
# order, skipping lines only right after a redis_down or book_invalid
# frame for that channel; the moved channels must be subscribed again
# (redis_up) within 2 s, on node b, and their last line received; a
# client conflated at 5/s on the moved channels gets data after the
# move; a pattern is refused; a late joiner gets every book from its {C}
# keys; "channels" lists all 64; a channel subscribed in a slot moved
# behind wsgate's back is followed through -MOVED; wsgate exits 0 (no
# sanitizer report under make SAN=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
need_redispub

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

# the channels, their slots and owners, as Redis computes them
sim_channels

# shellcheck disable=SC2034 # read by start_wsgate and cluster_feed
REDIS_URL="cluster://127.0.0.1:$port_b,127.0.0.1:$port_a"
start_wsgate
case $(wscount pattern "$WS_URL") in
*"pattern cannot be subscribed"*) ;;
*) fail "a pattern was not refused: $(wscount pattern "$WS_URL")" ;;
esac

ws_client w1
ws_client w2
# each channel SSUBSCRIBEd on its own node, and only there
for p in $PORTS; do
	assert_eq "shard channels on node $p" \
	    "$(awk -v p="$p" '$3 == p' "$T/owners" | wc -l | tr -d ' ')" \
	    "$(redis-cli -p "$p" pubsub shardnumsub $chans |
	    awk 'NR % 2 == 0 && $1 == 1' | wc -l | tr -d ' ')"
done

awk -v p="$port_a" '$3 == p && $1 ~ /trade$/ { print }' "$T/owners" |
    head -n 2 >"$T/moving"
awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print }' "$T/owners" |
    head -n 2 >>"$T/moving"
[ "$(wc -l <"$T/moving")" -eq 4 ] || fail "node a has too few channels"
# w4: the moving channels conflated at 5 a second; their conflators read
# the {C} keys again on the new node after the move
# shellcheck disable=SC2046 # the moving channels
wscount listen "$WS_URL" "$T/w4.ev" "$T/w4.ready" "$T/stop" --hz 5 \
    $(awk '{ print $1 }' "$T/moving") &
track $!
wait_for 20 test -e "$T/w4.ready" || fail "client w4 not subscribed"

cluster_feed
sleep 3
for s in $(awk '{ print $2 }' "$T/moving" | sort -u); do
	cl begin "$port_a" "$port_b" "$s" || fail "migration of slot $s"
done
for s in $(awk '{ print $2 }' "$T/moving" | sort -u); do
	cl end "$port_a" "$port_b" "$s" "$port_c" || fail "migration of slot $s"
done
note "moved slots $(awk '{ print $2 }' "$T/moving" | sort -u | tr '\n' ' ')from $port_a to $port_b at $(wc -l <"$T/in") lines"
# wsgate follows at once (sunsubscribe pushed by node a, map read
# again): the moved channels are subscribed on node b
moved_on_b() {
	# shellcheck disable=SC2046 # the moving channels
	[ "$(redis-cli -p "$port_b" pubsub shardnumsub \
	    $(awk '{ print $1 }' "$T/moving") | awk 'NR % 2 == 0' |
	    paste -sd' ')" = "1 1 1 1" ]
}
wait_for 2 moved_on_b ||
    fail "the moved channels not on node b 2 s after the move"
sleep 1
redis-cli -p "$port_c" client kill type pubsub >"$T/kill.log" 2>&1 ||
    fail "CLIENT KILL on node c: $(cat "$T/kill.log")"
note "node c closed $(cat "$T/kill.log") subscription connection(s) at $(wc -l <"$T/in") lines"

wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
# the clients have the last line (they write within 0.2 s of a pause)
last=$(tail -n 1 "$T/in" | sed -n 's/.*"symbol":"\([^"]*\)","seq":\([0-9]*\).*/\1 \2/p')
[ -n "$last" ] || fail "no last line"
set -- $last
for w in w1 w2; do
	wait_for 20 grep -q "^m md\.sim\.$1\.[a-z]* $2\$" "$T/$w.ev" ||
	    fail "client $w never got the last line, seq $2"
done
# the conflated client: each moved channel down, up, then data again
for ch in $(awk '{ print $1 }' "$T/moving"); do
	awk -v c="$ch" '$2 == c && $1 == "u" { up = 1 }
	    $2 == c && $1 == "m" && up { n++ } END { exit !(n > 0) }' \
	    "$T/w4.ev" || fail "conflated $ch: nothing after its move"
done
# a slot of node a no channel of wsgate's is on: moved without telling
# wsgate (no sunsubscribe), so its map is stale for it
cl slots "$port_a" md.sim.X0.trade md.sim.X1.trade md.sim.X2.trade \
    md.sim.X3.trade md.sim.X4.trade md.sim.X5.trade >"$T/quiet.all" ||
    fail "CLUSTER SLOTS"
awk -v p="$port_a" '$3 == p { print; exit }' "$T/quiet.all" >"$T/quiet"
# shellcheck disable=SC2046 # CHANNEL SLOT PORT
set -- $(cat "$T/quiet")
[ $# -eq 3 ] || fail "no candidate channel on node a"
quiet=$1
cl begin "$port_a" "$port_b" "$2" && cl end "$port_a" "$port_b" "$2" "$port_c" ||
    fail "migration of slot $2"
# a new subscription in the quiet slot: sent to node a by the stale map,
# answered -MOVED, followed to node b
wscount listen "$WS_URL" "$T/w5.ev" "$T/w5.ready" "$T/stop" "$quiet" &
track $!
wait_for 20 test -e "$T/w5.ready" || fail "client w5 not subscribed"
quiet_on_b() {
	[ "$(redis-cli -p "$port_b" pubsub shardnumsub "$quiet" | tail -n 1)" = 1 ]
}
wait_for 5 quiet_on_b || fail "$quiet not subscribed on node b"
grep -q "$quiet: MOVED" "$T/wsgate.log" ||
    fail "wsgate followed no -MOVED for $quiet"
sym=${quiet#md.sim.}
sym=${sym%.trade}
redis-cli -p "$port_b" spublish "$quiet" \
    "{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"$sym\",\"seq\":7}" >/dev/null
wait_for 5 grep -q "^m $quiet 7\$" "$T/w5.ev" ||
    fail "client w5 did not get $quiet's message"
# the moved channels are now subscribed on node b
for ch in $(awk '{ print $1 }' "$T/moving"); do
	assert_eq "$ch subscribed on node b" "$ch 1" \
	    "$(redis-cli -p "$port_b" pubsub shardnumsub "$ch" | paste -sd' ')"
done
# md.channels, read on the node of its own slot
assert_eq "channels listed" 64 "$(wscount channels "$WS_URL")"
# a late joiner, nothing published any more: each book comes from its
# {C}.snapshot and {C}.deltas, read on the node that serves C
# books: how many book channels the late joiner has a message of
books() { awk '$1 == "m" && $2 ~ /book$/ { c[$2] = 1 } END { print length(c) }' "$T/w3.ev"; }
all_books() { [ "$(books)" -eq 32 ]; }
ws_client w3
wait_for 10 all_books ||
    fail "late joiner: $(books) of 32 books from the keys"
sleep 0.5
touch "$T/stop"
sleep 0.5
stop_wsgate

for w in w1 w2; do
	ws_checked "$w"
	for ch in $(awk '{ print $1 }' "$T/moving"); do
		grep -q "^d $ch slot_moved" "$T/$w.ev" ||
		    fail "client $w: no redis_down for $ch, whose slot moved"
		grep -q "^u $ch " "$T/$w.ev" ||
		    fail "client $w: $ch not subscribed again after its move"
	done
	c1=$(awk -v p="$port_c" '$3 == p { print $1; exit }' "$T/owners")
	grep -q "^d $c1 redis_node" "$T/$w.ev" ||
	    fail "client $w: no redis_down for $c1 when node c was lost"
done
exit 0
