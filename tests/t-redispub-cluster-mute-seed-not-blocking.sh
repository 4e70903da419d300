#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# Seed nodes that accept and never answer do not stall redispub while it
# runs (redispub(1) CLUSTER): with cluster://MUTE1,...,MUTE4,A, four
# sockets of tests/wsgate/mute.py and node A of a three-node Redis
# Cluster (tests/cluster/cluster.sh), each read of the slot map asks the
# four silent ones first, 500 ms each, then A.  The first read, at the
# start, may block; then node B closes redispub's connection (CLIENT
# KILL), which has the map read again, and meanwhile redispub serves
# SIGUSR1 (its counters printed within 500 ms, probed every 100 ms for
# 3 s) and reads the lines it is given.  Read with blocking calls, the
# map held redispub 2 s: a SIGUSR1 answered only after it.  A has read
# the map again by the end of the probes (its CLUSTER SLOTS calls), and
# redispub exits 0 at the end of its input with no line dropped.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
N=400

/usr/bin/python3 "$TESTS/wsgate/mute.py" listen 4 "$T/ports" 2>"$T/mute.err" &
track $!
wait_for 10 test -s "$T/ports" || fail "mute.py did not listen: $(cat "$T/mute.err")"
MUTE=$(sed 's/^/127.0.0.1:/' "$T/ports" | paste -sd , -)
cluster_up
"$GEN" --count "$N" --symbols 8 >"$T/in"

# slots_read: the CLUSTER SLOTS calls node A answered
slots_read() {
	redis-cli -p "$port_a" info commandstats | tr -d '\r' |
	    sed -n 's/^cmdstat_cluster|slots:calls=\([0-9]*\).*/\1/p'
}
# read_more N: A answered more than N
read_more() { [ "$(slots_read)" -gt "${1:-0}" ]; }
# catches_usr1: redispub (rp) has its SIGUSR1 handler
catches_usr1() {
	_cu=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$rp/status")
	[ "$(( 0x$_cu & 0x200 ))" -ne 0 ]
}
# said N: redispub has printed its counters more than N times
said() { [ "$(grep -c 'counters:' "$T/err")" -gt "$1" ]; }
# usr1_ms: how long redispub takes to print its counters on SIGUSR1, in
# ms (up to 5000)
usr1_ms() {
	_n=$(grep -c 'counters:' "$T/err")
	_t0=$(date +%s%N)
	kill -USR1 "$rp"
	while ! said "$_n"; do
		[ $(( $(date +%s%N) - _t0 )) -lt 5000000000 ] || break
		sleep 0.01
	done
	echo $(( ($(date +%s%N) - _t0) / 1000000 ))
}

mkfifo "$T/fifo"
"$RP" -u "cluster://$MUTE,127.0.0.1:$port_a" --stats-interval 0 \
    <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
wait_for 10 catches_usr1 || fail "SIGUSR1 not caught: $(cat "$T/err")"
wait_for 10 read_more 0 || fail "the slot map not read: $(tail -n 3 "$T/err")"
usr1_ms >/dev/null
said 0 || fail "no counters: $(tail -n 3 "$T/err")"
before=$(slots_read)
redis-cli -p "$port_b" client kill type normal skipme yes >"$T/kill.log" 2>&1
cat "$T/in" >&3 &
track $!
worst=0
probes=""
i=0
while [ "$i" -lt 30 ]; do
	t=$(usr1_ms)
	probes="$probes $t/$(slots_read)"
	[ "$t" -le "$worst" ] || worst=$t
	sleep 0.1
	i=$((i + 1))
done
note "SIGUSR1 answered in ms/node A's CLUSTER SLOTS calls:$probes"
grep "redis cluster" "$T/err" | sed "s/^/  redispub: /" >&2
[ "$worst" -lt 500 ] ||
    fail "counters $worst ms after a SIGUSR1: the slot map's read held redispub"
grep -q "counters: lines=$N " "$T/err" ||
    fail "the lines not read while the map was read: $(tail -n 3 "$T/err")"
read_more "$before" ||
    fail "the slot map not read again while probed: $(tail -n 3 "$T/err")"
exec 3>&-
wait_pid 30 $rp redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/err")"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
