#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by node() through eval
# Sharded pub/sub on a 3-node Redis Cluster: every channel's messages
# arrive on the shard that owns its slot, in order, none lost or
# duplicated, through the migration of slots under way.  Hosts are
# simulated by distinct loopback ports on 127.0.0.1 (no network
# namespaces): three redis-server --cluster-enabled yes nodes joined by
# redis-cli --cluster create (no replicas).  rp-gen at 4000 lines/s on
# 64 channels (32 symbols, trade and book) -> redispub -u cluster://;
# one SSUBSCRIBE client per node (tests/cluster/cl.py) on the channels
# that node serves.  Before any migration no node answered -MOVED (so
# redispub's slot function is Redis' own); then the slots of four
# channels are moved from their node to another one while publishing
# (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE of their keys, SETSLOT
# NODE), with a client subscribed on the new owner (ASKING, as the slot
# is importing) beforehand: for those channels the old owner's messages
# and then the new owner's must together be every line, in order, once,
# and each channel must have some on the new owner.  redispub learns a
# new owner from a -MOVED, or from the slot map it reads again after a
# -TRYAGAIN (from node b, its first seed, which knows of a move before
# node a does): either is right and which comes first is timing, so the
# -MOVED answers followed are counted, not required (under load all
# four moves once came through the map: "0 MOVED").
# The late-joiner keys ({C}.snapshot with the hash tag) must be on the
# node that serves C, before and after.  Then node c sleeps half a
# second and closes redispub's connection (DEBUG SLEEP, CLIENT KILL in
# one MULTI): redispub reconnects and sends again what c had not
# answered; c's channels must lose nothing and keep their order
# (a line sent again after a lost reply may come twice: counted, not a
# failure, as redispub(1) delivers at least once).
. "$(dirname "$0")/lib.sh"
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up --enable-debug-command local

# the channels, their slots and owners, as Redis computes them
sim_channels

for p in $PORTS; do
	# shellcheck disable=SC2046 # the channels of node p
	cl_sub "n$p" "$p" $(awk -v p="$p" '$3 == p { print $1 }' "$T/owners")
done

# four channels of node a move to node b: the slots of two trade and
# two book channels
awk -v p="$port_a" '$3 == p && $1 ~ /trade$/ { print }' "$T/owners" |
    head -n 2 >"$T/moving"
awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print }' "$T/owners" |
    head -n 2 >>"$T/moving"
[ "$(wc -l <"$T/moving")" -eq 4 ] || fail "node a has too few channels"

"$GEN" --count 40000 --rate 4000 --symbols 32 --snapshot-every 100 |
    tee "$T/in" | "$RP" -v -u "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" \
    --flush-timeout 20 2>"$T/rp.err" &
rp_pid=$!
track "$rp_pid"
sleep 3
moved=0
for p in $PORTS; do
	n=$(redis-cli -p "$p" info errorstats | sed -n 's/^errorstat_MOVED:count=\([0-9]*\).*/\1/p')
	moved=$((moved + ${n:-0}))
done
assert_eq "MOVED answers before any migration" 0 "$moved"
for k in $(awk '{ print $1 }' "$T/moving"); do
	redis-cli -p "$port_a" exists "{$k}.snapshot" | grep -qx 1 ||
	    case $k in *book) fail "{$k}.snapshot not on its node a" ;; esac
done

# the migration, slot by slot, while redispub publishes
for s in $(awk '{ print $2 }' "$T/moving" | sort -u); do
	cl begin "$port_a" "$port_b" "$s" || fail "migration of slot $s"
done
# shellcheck disable=SC2046 # the moving channels
cl_sub nb2 "$port_b" --asking $(awk '{ print $1 }' "$T/moving")
for s in $(awk '{ print $2 }' "$T/moving" | sort -u); do
	cl end "$port_a" "$port_b" "$s" "$port_c" || fail "migration of slot $s"
done
sleep 1
# node c sleeps, with redispub's commands piling up unread, then closes
# redispub's connection: those were never run, and must be sent again
printf 'MULTI\nDEBUG SLEEP 0.5\nCLIENT KILL TYPE normal SKIPME yes\nEXEC\n' |
    redis-cli -p "$port_c" >"$T/kill.log" 2>&1 || fail "CLIENT KILL on node c"
note "moved slots $(awk '{ print $2 }' "$T/moving" | sort -u | tr '\n' ' ')from $port_a to $port_b at $(wc -l <"$T/in") lines"

wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
grep 'redis cluster' "$T/rp.err" | sed 's/^/  redispub: /' >&2
sleep 0.5

# every channel: what its subscribers got, in order, is what was read
/usr/bin/python3 "$TESTS/cluster/delivered.py" "$T" nb2 "$port_c" "$T/moving" ||
    fail "delivery check failed"
grep -q "node redis://127.0.0.1:$port_c: reconnected" "$T/rp.err" ||
    fail "redispub did not reconnect to node c: $(grep "$port_c" "$T/rp.err")"
grep -q 'after a lost node' "$T/rp.err" &&
    ! grep -q ' 0 commands sent again after a lost node' "$T/rp.err" ||
    fail "nothing sent again after node c closed the connection"
note "$(sed -n 's/.*redis cluster: \([0-9]*\) MOVED.*/\1/p' "$T/rp.err") -MOVED followed"
for k in $(awk '$1 ~ /book$/ { print $1 }' "$T/moving"); do
	assert_eq "{$k}.snapshot on the new owner" 1 \
	    "$(redis-cli -p "$port_b" exists "{$k}.snapshot")"
done
exit 0
