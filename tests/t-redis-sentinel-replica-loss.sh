#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: from tests/sentinel/lib.sh
# A gateway whose replica dies moves to the other one, and its clients
# keep getting data with every loss announced.  Hosts are simulated by
# network namespaces with their own addresses where the test may make
# them, else by loopback ports (tests/netns.sh; the test says which): a
# primary, two replicas, three Sentinels; collector sim at 10000 msg/s -> shmreader
# -> redispub -u sentinel://...; wsgate a on replica 1, wsgate b on
# replica 2, a WebSocket client on each counting by seq.  Replica 1 is
# SIGKILLed: wsgate a must ask the Sentinels again and subscribe to
# replica 2, its client must get data after the redis_up frame, and every
# seq it misses must fall between its redis_down and redis_up frames (or
# a gap line).  Client b must lose nothing.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/sentinel/lib.sh"

netns_init
start_redis_set
gateway ga r1
gateway gb r2
assert_eq "gateway a's replica" "$port_r1" "$(gateway_port ga)"
start_pipeline 10000 50000
wait_for 30 printed_past 20000 || fail "the stream did not reach seq 20000: $(tail -n 3 "$T/collector.log")"
t0=$(date +%s%N)
kill -KILL "$pid_r1"
wait "$pid_r1" 2>/dev/null
wait_for 20 sh -c "[ \$(grep -c 'subscriber: connected' '$T/ga.log') -ge 2 ]" ||
    fail "wsgate a did not reconnect: $(tail -n 3 "$T/ga.log")"
t1=$(date +%s%N)
note "wsgate a subscribed again $(( (t1 - t0) / 1000000 )) ms after the kill, to port $(gateway_port ga)"
assert_eq "gateway a's new replica" "$port_r2" "$(gateway_port ga)"
finish_stream
for g in ga gb; do
	r=$(seqcount check "$T/jsonl" "$T/$g.ev" 2>"$T/$g.chk") ||
	    fail "check $g: $(cat "$T/$g.chk")"
	note "client on $g: $r"
	case $r in
	*" unannounced=0 "*) ;;
	*) fail "client on $g lost messages unannounced: $r $(cat "$T/$g.chk")" ;;
	esac
done
grep -q '^d' "$T/ga.ev" && grep -q '^u' "$T/ga.ev" ||
    fail "client a was not told (redis_down, redis_up)"
after=$(sed -n '/^u/,$p' "$T/ga.ev" | grep -c '^[sb] ')
[ "$after" -gt 1000 ] || fail "client a got $after messages after redis_up"
case $(seqcount check "$T/jsonl" "$T/gb.ev") in
*" missing=0 "*) ;;
*) fail "client b, whose replica lived, missed messages" ;;
esac
