#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A failover inside a Redis Cluster under wsgate and redispub
# (wsgate(1) Cluster, redispub(1) CLUSTER): a primary is SIGKILLed while
# publishing and the cluster itself promotes its replica.  Hosts are
# simulated by distinct loopback ports on 127.0.0.1 (no network
# namespaces): six redis-server --cluster-enabled yes nodes,
# cluster-node-timeout 1000 ms, joined by redis-cli --cluster create
# --cluster-replicas 1 (three primaries, one replica each).  rp-gen at
# 4000 lines/s on 64 channels (32 symbols, trade and book) -> redispub
# -u cluster:// (SPUBLISH); wsgate -u cluster:// SSUBSCRIBEs each channel
# on its slot's primary; two clients (tests/cluster/wscount.py) subscribe
# to all 64.  Three seconds in, primary a stalls (DEBUG SLEEP) and 0.3 s
# later is killed (SIGKILL), usually with commands of redispub's
# unanswered (they must be sent again; a note says when none were); the test
# waits for every surviving node to say cluster_state:ok with a's replica
# now a primary.  Then: each client must have every line of every
# channel in seq order, skipping lines only right after a redis_down or
# book_invalid frame for that channel (unannounced=0), with no repeat
# (duplicated=0) except a run of lines sent again right after such a
# frame ("redelivered": redispub delivers at least once what the dead
# node had not answered; counted and printed, not a failure); every
# channel's last line must arrive; each channel of node a must have had
# redis_down and redis_up; redispub exits 0.  Printed: kill -> promoted,
# kill -> first message of a channel of node a after its redis_up, and
# the announced/redelivered counts.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
need_redispub

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
# shellcheck disable=SC2034 # read by cluster_up --enable-debug-command local
CLUSTER_REPLICAS=1
# shellcheck disable=SC2034 # read by cluster_node
CLUSTER_NODE_TIMEOUT=1000
cluster_up

# the victim: node a, a primary with a replica
assert_eq "node a's role" master "$(redis-cli -p "$port_a" role | head -n 1)"
replica_of_a

sim_channels
awk -v p="$port_a" '$3 == p { print $1 }' "$T/owners" >"$T/dead"
[ -s "$T/dead" ] || fail "node a serves none of the channels"

# shellcheck disable=SC2034 # read by start_wsgate and cluster_feed
REDIS_URL="cluster://127.0.0.1:$port_b,127.0.0.1:$port_a,127.0.0.1:$port_c"
start_wsgate

ws_client w1
ws_client w2

cluster_feed
sleep 3

# a stalls first (DEBUG SLEEP), so that redispub has commands to it
# unanswered when it dies: they must be sent again to the replica
redis-cli -p "$port_a" debug sleep 2 >/dev/null 2>&1 &
track $!
sleep 0.3
t_kill=$(ms)
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
note "killed primary a (port $port_a) at $(wc -l <"$T/in") lines; its replica is $rep_a"
PORTS=$(echo "$PORTS" | tr ' ' '\n' | grep -vx "$port_a" | paste -sd' ')
promoted() {
	[ "$(redis-cli -p "$rep_a" role | head -n 1)" = master ] && cluster_ok
}
wait_for 20 promoted || fail "replica $rep_a not promoted 20 s after the kill"
t_ok=$(ms)
# the first message of a channel of node a after its redis_up, at w1
back() {
	awk 'FILENAME != ARGV[ARGC - 1] { dead[$1] = 1; next }
	    $1 == "u" && dead[$2] { up = 1 }
	    $1 == "m" && up && dead[$2] { f = 1; exit }
	    END { exit !f }' "$T/dead" "$T/w1.ev"
}
wait_for 20 back || fail "no message on node a's channels 20 s after the kill"
t_back=$(ms)
note "failover: kill -> promoted $((t_ok - t_kill)) ms, kill -> first message on node a's channels $((t_back - t_kill)) ms (polled every 50 ms)"

wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
note "$(grep 'redis cluster' "$T/rp.err" | tail -n 1)"
resent=$(sed -n 's/.* \([0-9]*\) commands sent again after a lost node.*/\1/p' \
    "$T/rp.err")
# usually more than 0 thanks to the stall, but not always (seen 0 once
# under make SAN=1): then this run did not exercise the resend, said so
[ "${resent:-0}" -gt 0 ] ||
    note "redispub had nothing unanswered on node a: its resend not exercised this run"
# every channel's last line, at each client
awk '{ sub(/^\{"type":"/, ""); t = $0; sub(/".*/, "", t)
	k = (t == "trade") ? "trade" : "book"
	match($0, /"symbol":"[^"]*"/); s = substr($0, RSTART + 10, RLENGTH - 11)
	match($0, /"seq":[0-9]*/); q = substr($0, RSTART + 6, RLENGTH - 6)
	last["md.sim." s "." k] = q }
    END { for (c in last) print "m", c, last[c] }' "$T/in" | sort >"$T/last"
assert_eq "channels with a last line" 64 "$(wc -l <"$T/last" | tr -d ' ')"
for w in w1 w2; do
	got_last() { [ -z "$(sort "$T/$w.ev" | comm -23 "$T/last" -)" ]; }
	wait_for 20 got_last ||
	    fail "client $w: last lines never came: $(sort "$T/$w.ev" | comm -23 "$T/last" - | head -n 3)"
done
touch "$T/stop"
sleep 0.5
stop_wsgate

for w in w1 w2; do
	ws_checked "$w"
	while read -r ch; do
		grep -q "^d $ch " "$T/$w.ev" ||
		    fail "client $w: no redis_down for $ch when node a died"
		grep -q "^u $ch " "$T/$w.ev" ||
		    fail "client $w: $ch not subscribed again after the failover"
	done <"$T/dead"
done
exit 0
