#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A slot map read from one node may name a slot's new owner before the
# old owner knows it (a migration's SETSLOT NODE reaches it by the
# cluster bus, later): what redispub has in flight to the old owner may
# still run there, and must not be sent to the new one as well.
# 3-node cluster (tests/cluster/cluster.sh); rp-gen on 4 symbols ->
# redispub -u cluster://DST,SRC; the slot of a trade channel X (a bare
# SPUBLISH, no key) migrates from its node SRC to DST, with subscribers
# for X on both (ASKING on DST).  SRC is stopped (SIGSTOP, as a node the
# scheduler does not run) with redispub's SPUBLISHes of X in flight to
# it; SETSLOT NODE on DST; redispub is made to read the slot map again
# (its connection to the third node closed, CLIENT KILL), which DST,
# its first seed, answers: X is DST's.  Then SRC goes on, and runs
# what it had in flight, the bus news of DST coming after it.  X's
# messages, SRC's then DST's, must be every line once, in order: they
# were published twice (on both nodes) and out of order when redispub
# sent what was in flight to SRC again to DST at once, without waiting
# for SRC's answers.  The third node's channels may see lines twice (its
# connection was closed: at least once), the others exactly once.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

# X: the first trade channel; SRC its node, DST and OTHER the others
cluster_pick trade
X=$pick

cluster_sub_owners

cluster_feed "cluster://127.0.0.1:$dst,127.0.0.1:$src" 12000 2000 4
sleep 2
cl begin "$src" "$dst" "$slot" || fail "migration of slot $slot"
cl_sub new "$dst" --asking "$X"

# slot-map reads answered by DST so far
slots_read() {
	redis-cli -p "$dst" info commandstats | tr -d '\r' |
	    sed -n 's/^cmdstat_cluster|slots:calls=\([0-9]*\).*/\1/p'
}
read0=$(slots_read)
# shellcheck disable=SC2317 # called by wait_for
read_again() { [ "$(slots_read)" -gt "${read0:-0}" ]; }

kill -STOP "$src_pid"
sleep 0.1
cl setslot "$dst" "$slot" "$dst" || fail "SETSLOT NODE on $dst"
read0=$(slots_read)
redis-cli -p "$other" client kill type normal skipme yes >"$T/kill.log" 2>&1
wait_for 5 read_again || {
	kill -CONT "$src_pid"
	fail "redispub did not read the slot map again"
}
sleep 0.2
kill -CONT "$src_pid"
cl setslot "$dst" "$slot" "$src" "$other" || fail "SETSLOT NODE on $src"
note "slot $slot of $X moved from $src to $dst at $(wc -l <"$T/in") lines"

wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
grep 'redis cluster' "$T/rp.err" | sed 's/^/  redispub: /' >&2
sleep 0.5

/usr/bin/python3 "$TESTS/cluster/delivered.py" "$T" new "$other" ||
    fail "delivery check failed"
exit 0
