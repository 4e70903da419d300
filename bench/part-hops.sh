#!/bin/sh
# part-hops.sh: where the latency goes (issue 12), measured from the
# outside, without touching the programs: one pipeline at 10 K msg/s
# (collector sim -> ring -> shmreader -> redispub -> Redis -> wsgate ->
# a WebSocket client) with a tap after each hop, all in the same run,
# each tap measuring now - the collector's receive stamp ("recv"):
#   ring      bench/hoptap ring: a reader of the ring
#   shmreader a second shmreader | bench/hoptap lines
#   Redis     tests' rp-sub, a hiredis subscriber (md.sim.*)
#   wsgate    bench/wsbench sub, one WebSocket client (md.sim.*)
# Each hop's p50 is the difference of the p50s of its two taps (they are
# different messages' distributions, so a hop's p99 is not given).
set -u
: "${BIN:?}"
for p in "$BIN/collector" "$BIN/shmreader" "$BIN/redispub" "$BIN/wsgate" \
    "$BIN/bench/hoptap" "$BIN/bench/wsbench" "$BIN/tests/rp-sub"; do
	[ -x "$p" ] || { echo "part-hops: $p not built" >&2; exit 1; }
done
RATE=10000 COUNT=${HOPS_BENCH_MSGS:-50000}
T=$(mktemp -d)
ring="benchhops.$$"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	"$BIN/shmreader" --ring "$ring" --unlink 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_until() {	# CMD...: 20 s at most
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 400 ] || return 1; sleep 0.05
	done
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$T" --daemonize no --logfile "$T/redis.log" &
pids="$pids $!"
wait_until redis-cli -p "$rport" ping || { echo "part-hops: redis did not start" >&2; exit 1; }
wport=$(free_port)
"$BIN/wsgate" -l "127.0.0.1:$wport" -u "redis://127.0.0.1:$rport" -d 3 \
    3>"$T/ready" 2>"$T/wsgate.log" &
pids="$pids $!"
wait_until test -s "$T/ready" || { echo "part-hops: wsgate did not start" >&2; exit 1; }

# the ring, then the taps and the chain
"$BIN/collector" --ring "$ring" --capacity 1048576 sim --rate "$RATE" --count 1 >/dev/null 2>&1
"$BIN/bench/hoptap" ring "$ring" 100000000 >"$T/ring.out" &
pids="$pids $!"
mkfifo "$T/tap" "$T/chain"
"$BIN/shmreader" --ring "$ring" --from latest >"$T/tap" &
sr1=$!
"$BIN/bench/hoptap" lines 100000000 <"$T/tap" >"$T/lines.out" &
tl=$!
"$BIN/shmreader" --ring "$ring" --from latest >"$T/chain" &
sr2=$!
"$BIN/redispub" -u "redis://127.0.0.1:$rport" --stats-interval 0 <"$T/chain" 2>/dev/null &
rp=$!
pids="$pids $sr1 $tl $sr2 $rp"
"$BIN/tests/rp-sub" -l -p -n 100000000 -t 2 -P "$rport" 'md.sim.*' >"$T/redis.out" 2>/dev/null &
rs=$!
timeout 180 "$BIN/bench/wsbench" sub "$wport" 'md.sim.*' 1 2000 >"$T/ws.out" 2>"$T/ws.err" &
ws=$!
pids="$pids $rs $ws"
wait_until grep -q ready "$T/ws.out" || { echo "part-hops: no WebSocket client" >&2; exit 1; }
wait_until test "$(redis-cli -p "$rport" pubsub numpat)" -ge 2 ||
    { echo "part-hops: no Redis subscriber" >&2; exit 1; }
sleep 0.3
"$BIN/collector" --ring "$ring" sim --rate "$RATE" --count "$COUNT" >/dev/null 2>&1
wait "$rs" "$ws"
kill "$sr1" "$sr2" 2>/dev/null
wait "$tl" "$rp" 2>/dev/null
sleep 1.2	# the ring tap stops a second after the last record

prev=0
for tap in ring lines redis ws; do
	case $tap in
	ring) what="collector -> ring reader (hoptap ring)" ;;
	lines) what="... -> shmreader -> pipe reader (hoptap lines)" ;;
	redis) what="... -> redispub -> Redis -> hiredis subscriber" ;;
	ws) what="... -> Redis -> wsgate -> WebSocket client" ;;
	esac
	p50=$(field p50_us <"$T/$tap.out") p99=$(field p99_us <"$T/$tap.out")
	[ -n "$p50" ] || { echo "part-hops: the $tap tap measured nothing" >&2; p50=0 p99=0; }
	hop=$(awk -v a="$p50" -v b="$prev" 'BEGIN { printf "%.0f", a - b }')
	echo "| hops | recv -> $what at $RATE msg/s ($COUNT msgs, one run) | cumulative p50 $p50 us, p99 $p99 us; this hop's p50 share $hop us | | |"
	prev=$p50
done
