#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: from tests/sentinel/lib.sh
# A Sentinel failover loses nothing unannounced.  Hosts are simulated
# by network namespaces with their own addresses where the test may make
# them, else by loopback ports (tests/netns.sh; the test says which): a
# primary, two replicas, three Sentinels, each a host; on a collector
# host, collector sim at 10000 msg/s -> shmreader -> redispub -u
# sentinel://...; two gateway hosts, each a wsgate on a replica the
# Sentinels name, and a client host with a WebSocket client on each
# gateway counting what it gets by seq.  The primary is SIGKILLed; redispub must find the new primary and
# resend, and every seq a client misses must be covered by a gap line
# (redispub announces what it cannot prove a replica had) or a
# redis_down/redis_up pair.  Each client must get the last seq published
# and more than 1000 seqs published after the primary died (through the
# new one).  Failover time, losses and duplicates per client are
# reported; duplicates are a figure, not a failure.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/sentinel/lib.sh"

netns_init
start_redis_set
gateway ga r1
gateway gb r2
assert_eq "gateway a's replica" "$port_r1" "$(gateway_port ga)"
assert_eq "gateway b's replica" "$port_r2" "$(gateway_port gb)"
start_pipeline 10000 60000
wait_for 30 printed_past 20000 || fail "the stream did not reach seq 20000: $(tail -n 3 "$T/collector.log")"
t0=$(date +%s%N)
kill -KILL "$pid_p"
wait "$pid_p" 2>/dev/null
# the last seq shmreader had printed once the primary was dead: redispub
# can publish a later one only to the primary the Sentinels name next
# (tee writes $T/jsonl before redispub reads the line); of whole lines,
# so that a line tee is writing gives no cut-short number; of the file's
# end: sed on all of it took as long as the stream ran, reading lines
# written after the kill (the kill was taken to come at the stream's end)
killed_at=$(printed_last)
[ -n "$killed_at" ] || fail "no seq published before the kill"
failed_over() { [ "$(primary_port)" != "$port_p" ]; }
wait_for 20 failed_over || fail "no failover within 20 s"
t1=$(date +%s%N)
wait_for 20 grep -q "primary is $(primary_addr)" "$T/redispub.log" ||
    fail "redispub did not follow: $(sentinels_say) redispub: $(tail -n 8 "$T/redispub.log")"
t2=$(date +%s%N)
note "failover: Sentinels named $(primary_addr) after $(( (t1 - t0) / 1000000 )) ms; redispub on it after $(( (t2 - t0) / 1000000 )) ms"
finish_stream
grep -E 'announcing|primary is|resending' "$T/redispub.log" |
    sed 's/^/  redispub: /' >&2
for g in ga gb; do
	r=$(seqcount check "$T/jsonl" "$T/$g.ev" 2>"$T/$g.chk") ||
	    fail "check $g: $(cat "$T/$g.chk")"
	note "client on $g: $r"
	case $r in
	*" unannounced=0 "*) ;;
	*) fail "client on $g lost messages unannounced: $r $(cat "$T/$g.chk")" ;;
	esac
	case $r in
	"received=0 "*) fail "client on $g received nothing" ;;
	esac
	after=$(awk -v k="$killed_at" '$1 ~ /^[sbn]$/ && $2 > k { print $2 }' \
	    "$T/$g.ev" | sort -u | wc -l)
	note "client on $g: $after seqs published after seq $killed_at (the kill)"
	[ "$after" -gt 1000 ] ||
	    fail "client on $g got $after seqs published after the primary died (seq $killed_at)"
done
