#!/bin/sh
# A standby pipeline takes over when the leader's dies, within the lease
# time, and tells clients.  Hosts are simulated on one machine: two
# pipelines (collector sim -> shmreader -> redispub --lease), each with
# its own ring, share one Redis and one lease key; a wsgate and a
# WebSocket client (tests/sentinel/seqcount.py) watch md.*.  Pipeline A
# takes the lease and publishes; B runs warm, dropping what it reads.
# A's whole pipeline is SIGKILLed: B must take the lease within the lease
# time (plus a renewal period), announce it with a status "resync" line
# per venue, and publish.  The time B took and the silence the client saw
# before the resync line are reported (at 1000 msg/s, so that the client
# keeps up and its clock means something).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/sentinel/lib.sh"

LEASE_MS=1000
start_redis
start_wsgate
seqcount listen "$WS_URL" "$T/c.ev" "$T/c.sub" "$T/stop" 2>"$T/c.cerr" &
CLIENT=$!
track $CLIENT
wait_for 20 test -e "$T/c.sub" || fail "client did not subscribe"

# pipeline NAME: collector sim -> shmreader -> redispub --lease; sets
# the pids pid_NAME_c, pid_NAME_s, pid_NAME_r
pipeline() {
	"$BIN/collector" --ring "$RING.$1" sim --rate 1000 \
	    2>"$T/$1.collector.log" &
	track $!
	eval "pid_$1_c=\$!"
	wait_for 20 "$BIN/shmreader" --ring "$RING.$1" --stat ||
	    fail "no ring $1"
	mkfifo "$T/$1.fifo"
	"$BIN/shmreader" --ring "$RING.$1" >"$T/$1.fifo" 2>"$T/$1.shm.log" &
	track $!
	eval "pid_$1_s=\$!"
	"$BIN/redispub" -u "$REDIS_URL" --lease md.lease \
	    --lease-ms "$LEASE_MS" <"$T/$1.fifo" 2>"$T/$1.log" &
	track $!
	eval "pid_$1_r=\$!"
}
pipeline a
wait_for 10 grep -q "lease md.lease taken" "$T/a.log" ||
    fail "A did not take the lease: $(tail -n 3 "$T/a.log")"
pipeline b
sleep 2
grep -q "lease md.lease taken" "$T/b.log" && fail "B took the lease from a live A"
wait_for 10 grep -q '^[sb] ' "$T/c.ev" || fail "client got nothing from A"
# shellcheck disable=SC2154 # set by eval in pipeline
kill -KILL "$pid_a_c" "$pid_a_s" "$pid_a_r"
t0=$(date +%s%N)
wait_for 10 grep -q "lease md.lease taken" "$T/b.log" ||
    fail "B did not take the lease: $(tail -n 3 "$T/b.log")"
t1=$(date +%s%N)
sleep 2
touch "$T/stop"
wait "$CLIENT" || fail "client: $(tail -n 3 "$T/c.cerr")"
r=$(seqcount takeover "$T/c.ev")
note "lease ${LEASE_MS} ms: B took it $(( (t1 - t0) / 1000000 )) ms after the kill; client: $r"
note "B: $(grep 'lease md.lease taken' "$T/b.log")"
case $r in
*"resync=yes"*) ;;
*) fail "no resync status line: $r" ;;
esac
after=${r##*after=}
[ "$after" -gt 500 ] || fail "only $after messages after the takeover"
