#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A wsgate started while a cluster primary is back from a restart with
# keys older than it acknowledged, before redispub has deleted them,
# gives no book from them: the owner mark {C}.owner there names the
# node's ID, but the run_id of its redis-server before the restart
# (tickpipe(7), wsgate(1) Cluster).
# Three redis-server --cluster-enabled yes primaries on loopback ports
# (tests/cluster/cluster.sh, no replicas); redispub -u cluster:// reads
# a fifo the test feeds (rp-gen, 32 symbols, a snapshot each first, the
# next ones in part B).  0.5 s of lines; node a saves its data (SAVE,
# an RDB); 0.5 s of lines that a acknowledges, not in the RDB; redispub
# stopped (SIGSTOP); a SIGKILLed and started again at once on its port,
# with its nodes.conf (same node ID) and its RDB.  Then a's {C}.owner
# names a's ID and its old run_id, and a's book channels have fewer
# deltas than a had acknowledged; only now a wsgate starts, and a
# WebSocket client subscribes to every book channel of a's slots; then
# redispub goes on (SIGCONT), the rest is fed, and a's {C}.owner names
# its new run_id.  Per channel, from each snapshot the client got until
# the next book_invalid or redis_down, it must have got every delta.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
need_redispub

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

sim_channels
chans=$(awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print $1 }' "$T/owners")
[ -n "$chans" ] || fail "node a serves no book channel"
one=$(echo "$chans" | head -n 1)
feed_split

fed_redispub "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" "$T/rp.err"

feed 1 2000
sleep 0.5
mark_old=$(owner_mark "$port_a")
assert_eq "$one's owner mark on node a" "$mark_old" \
    "$(redis-cli -p "$port_a" get "{$one}.owner")"
redis-cli -p "$port_a" save >"$T/save.log" 2>&1 ||
    fail "SAVE on node a: $(cat "$T/save.log")"
n_saved=$(rdeltas "{$one}.deltas" "$port_a" | wc -l)
feed 2001 4000
sleep 0.5
kill -STOP "$rp_pid"
n_acked=$(rdeltas "{$one}.deltas" "$port_a" | wc -l)
[ "$n_acked" -gt "$n_saved" ] ||
    fail "no delta of $one acknowledged after the SAVE ($n_saved, $n_acked)"

restart_a	# from its RDB: older keys, their mark the old process's
mark_new=$(owner_mark "$port_a")
[ "${mark_new%% *}" = "${mark_old%% *}" ] ||
    fail "node a came back as another node: $mark_new, was $mark_old"
[ "$mark_new" != "$mark_old" ] || fail "node a's run_id did not change"
# the old keys, under node a's ID with the run_id of before the restart
assert_eq "$one's deltas on node a back from the RDB" "$n_saved" \
    "$(rdeltas "{$one}.deltas" "$port_a" | wc -l)"
assert_eq "$one's owner mark on node a back, redispub stopped" \
    "$mark_old" "$(redis-cli -p "$port_a" get "{$one}.owner")"

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
feed 4001 "$(wc -l <"$T/all")"
exec 3>&-
# its --flush-timeout is 20 s
wait_pid 60 "$rp_pid" "redispub, at the end of its input,"
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
for c in $chans; do
	assert_eq "$c's owner mark on node a, redispub done" \
	    "$mark_new" "$(redis-cli -p "$port_a" get "{$c}.owner")"
done
sleep 1
touch "$T/stop"
sleep 0.5
stop_wsgate
booked w1 "$chans"
grep -q "owned by $mark_old," "$T/wsgate.log" ||
    fail "wsgate never found node a's old mark on the keys it read"
exit 0
