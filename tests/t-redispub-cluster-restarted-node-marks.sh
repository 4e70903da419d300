#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A redispub started while a cluster primary is back from a restart with
# keys older than it acknowledged does not take them for its own: their
# owner mark {C}.owner names the node's ID but the run_id of its
# redis-server before the restart, so it deletes them and marks them as
# the new process's, which readers then trust again (redispub(1)
# CLUSTER).  (A stale snapshot would go anyway: a book's deltas delete
# its keys until its next snapshot; the mark is what tells readers.)
# Three redis-server --cluster-enabled yes primaries on loopback ports
# (tests/cluster/cluster.sh, no replicas).  A first redispub
# -u cluster:// publishes lines 1-1000 of rp-gen's (32 symbols, a
# snapshot each first, the next ones after line 16000 or so); node a
# saves its data (SAVE, an RDB); the same redispub publishes lines
# 1001-2000 and exits.  Node a SIGKILLed and started again at once
# (same port, nodes.conf, RDB): a book channel of a has its snapshot and
# fewer deltas than a had acknowledged, under a mark with a's old
# run_id.  A second redispub publishes lines 2001-2400 (deltas, no
# snapshot): then no book channel of a has a snapshot (the keys wait
# for the next one), and each one's mark names a's new run_id.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

sim_channels
chans=$(awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print $1 }' "$T/owners")
[ -n "$chans" ] || fail "node a serves no book channel"
one=$(echo "$chans" | head -n 1)
feed_split
[ "$nA" -gt 2400 ] || fail "rp-gen's second snapshots come too early ($nA)"

fed_redispub "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" "$T/rp1.err"
feed 1 1000
sleep 0.5
mark_old=$(owner_mark "$port_a")
redis-cli -p "$port_a" save >"$T/save.log" 2>&1 ||
    fail "SAVE on node a: $(cat "$T/save.log")"
n_saved=$(rdeltas "{$one}.deltas" "$port_a" | wc -l)
feed 1001 2000
exec 3>&-
wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp1.err")"
[ "$(rdeltas "{$one}.deltas" "$port_a" | wc -l)" -gt "$n_saved" ] ||
    fail "no delta of $one acknowledged after the SAVE"

restart_a	# from its RDB: older keys, their mark the old process's
mark_new=$(owner_mark "$port_a")
[ "$mark_new" != "$mark_old" ] || fail "node a's run_id did not change"
assert_eq "$one's deltas on node a back from the RDB" "$n_saved" \
    "$(rdeltas "{$one}.deltas" "$port_a" | wc -l)"
assert_eq "$one's owner mark on node a back" "$mark_old" \
    "$(redis-cli -p "$port_a" get "{$one}.owner")"

sed -n '2001,2400p' "$T/all" |
    "$RP" -u "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" \
    --flush-timeout 20 2>"$T/rp2.err" ||
    fail "the second redispub failed: $(tail -n 5 "$T/rp2.err")"
for c in $chans; do
	assert_eq "$c's snapshot on node a after the second redispub" "" \
	    "$(redis-cli -p "$port_a" get "{$c}.snapshot")"
done
for c in $chans; do
	assert_eq "$c's owner mark on node a after the second redispub" \
	    "$mark_new" "$(redis-cli -p "$port_a" get "{$c}.owner")"
done
exit 0
