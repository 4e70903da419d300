#!/bin/sh
# part-ws.sh: wsgate, side by side with the baseline a user would write
# (bench/ws-baseline/relay.js: Node.js "ws" + ioredis, clearly a
# baseline), in the same run, against one private redis-server:
#  - fan-out: messages/s delivered to 100 and to 1000 WebSocket clients
#    subscribed to one channel, published by a separate load generator
#    process (wsbench pub) and counted by a separate sink (wsbench sub);
#    CPU time of the gateway per delivered message, for both;
#  - latency from the collector's receive time ("recv") to a WebSocket
#    client at 10 K msg/s: collector sim, ring, shmreader, redispub,
#    Redis, wsgate, 1 and 10 clients (and the wsgate hop alone);
#  - wsgate's resident memory per idle connected client (1000 clients).
set -u
: "${BIN:?}"
WSB=$BIN/bench/wsbench
dir=$(cd "$(dirname "$0")" && pwd)
for p in "$BIN/wsgate" "$WSB"; do
	[ -x "$p" ] || { echo "part-ws: $p not built" >&2; exit 1; }
done
command -v redis-server >/dev/null || { echo "part-ws: no redis-server" >&2; exit 1; }
T=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	# every ring a section made (each sets ring; all are kept in rings)
	for r in ${rings:-}; do
		"$BIN/shmreader" --ring "$r" --unlink 2>/dev/null
	done
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
# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

rport=$(free_port)
# no pub/sub output limit: a gateway that falls behind is measured, not cut
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
    --client-output-buffer-limit 'pubsub 0 0 0' \
    --dir "$T" --daemonize no --logfile "$T/redis.log" &
pids="$pids $!"
wait_until redis-cli -p "$rport" ping || { echo "part-ws: redis did not start" >&2; exit 1; }

# --- the baseline's node_modules (committed package.json + lockfile) ---
node_ok=0
if command -v node >/dev/null; then
	if [ ! -d "$dir/ws-baseline/node_modules/ws" ]; then
		(cd "$dir/ws-baseline" && npm ci --no-audit --no-fund >"$T/npm.log" 2>&1) ||
		    echo "part-ws: npm ci failed: $(tail -n 1 "$T/npm.log")" >&2
	fi
	[ -d "$dir/ws-baseline/node_modules/ws" ] && node_ok=1
fi

start_wsgate() {
	wport=$(free_port)
	rm -f "$T/ready"
	"$BIN/wsgate" -l "127.0.0.1:$wport" -u "redis://127.0.0.1:$rport" \
	    --output-cap 268435456 --max-clients 20000 -d 3 3>"$T/ready" \
	    2>"$T/wsgate.log" &
	gw=$!
	pids="$pids $gw"
	wait_until test -s "$T/ready"
}
start_node() {
	wport=$(free_port)
	node "$dir/ws-baseline/relay.js" "$wport" "$rport" >"$T/node.out" 2>&1 &
	gw=$!
	pids="$pids $gw"
	wait_until grep -q listening "$T/node.out"
}
stop_gw() { kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null; }

# subscribed CHANNEL: Redis counts a subscriber of CHANNEL (the gateway's
# subscription in effect: a relay may confirm its clients' before)
subscribed() {
	[ "$(redis-cli -p "$rport" pubsub numsub "$1" | tail -n 1)" -ge 1 ] 2>/dev/null
}

# fanout CLIENTS RATE COUNT: prints "rate cpu_ns_per_msg delivered" for
# $gw/$wport
fanout() {
	ch="md.bench.fan$1.trade"
	rm -f "$T/sub.out"
	"$WSB" sub "$wport" "$ch" "$1" 1500 >"$T/sub.out" 2>"$T/sub.err" &
	s=$!
	wait_until grep -q ready "$T/sub.out" || { cat "$T/sub.err" >&2; return 1; }
	wait_until subscribed "$ch" || { echo "part-ws: $ch: no Redis subscriber" >&2; return 1; }
	c0=$(cpu_ticks "$gw")
	"$WSB" pub "$rport" "$ch" "$2" "$3" 200 >/dev/null || return 1
	wait "$s" || { cat "$T/sub.err" >&2; return 1; }
	c1=$(cpu_ticks "$gw")
	line=$(grep delivered "$T/sub.out")
	d=$(echo "$line" | sed 's/.*delivered=\([0-9]*\).*/\1/')
	r=$(echo "$line" | sed 's/.*rate=\([0-9]*\).*/\1/')
	echo "$r $(( (c1 - c0) * (1000000000 / hz) / d )) $d"
}

for n in 100 1000; do
	if [ "$n" = 100 ]; then rate=100000 count=20000; else rate=10000 count=2000; fi
	start_wsgate
	w=$(fanout "$n" "$rate" "$count") || { echo "part-ws: wsgate fan-out $n failed" >&2; exit 1; }
	stop_gw
	b=""
	if [ "$node_ok" = 1 ]; then
		start_node
		b=$(fanout "$n" "$rate" "$count") || b=""
		stop_gw
	fi
	# shellcheck disable=SC2086 # three numbers
	set -- $w
	wr=$1 wc=$2 wd=$3
	want=$((n * count))
	goal="" ok=""
	if [ -n "$b" ]; then
		# shellcheck disable=SC2086 # three numbers
		set -- $b
		br=$1 bc=$2 bd=$3
		x=$(awk -v a="$wr" -v b="$br" 'BEGIN { printf "%.1f", a / b }')
		if [ "$n" = 1000 ]; then
			# a rate of what was delivered: both must deliver all
			goal=">= 5x baseline, none lost"
			ok=$(awk -v x="$x" -v a="$wd" -v b="$bd" -v w="$want" \
			    'BEGIN { print (x >= 5 && a == w && b == w) ? "yes" : "no" }')
		fi
		echo "| ws | fan-out to $n clients, msgs/s delivered (offered $rate msg/s x $n, 200 B): Node.js ws+ioredis relay (baseline), $bd of $want delivered | $br msg/s, $bc ns CPU/msg | | |"
		echo "| ws | fan-out to $n clients, msgs/s delivered: wsgate, $wd of $want delivered | $wr msg/s = ${x}x baseline, $wc ns CPU/msg | $goal | $ok |"
	else
		why="no node/npm"
		[ "$node_ok" = 0 ] || why="its fan-out failed"
		echo "| ws | fan-out to $n clients, msgs/s delivered (offered $rate msg/s x $n, 200 B): wsgate, $wd of $want delivered (baseline not run: $why) | $wr msg/s, $wc ns CPU/msg | | |"
	fi
done

# --- latency through the whole pipeline at 10 K msg/s ---
lat_row() {	# CLIENTS
	if ! [ -x "$BIN/collector" ] || ! [ -x "$BIN/shmreader" ] ||
	    ! [ -x "$BIN/redispub" ]; then
		echo "| ws | latency recv -> WebSocket client | not run: pipeline not built | | no |"
		return
	fi
	ring="benchws.$$"
	rings="${rings:-} $ring"
	start_wsgate
	timeout 120 "$WSB" sub "$wport" 'md.sim.*' "$1" 2000 >"$T/lat.out" 2>"$T/lat.err" &
	s=$!
	wait_until grep -q ready "$T/lat.out" || return 1
	"$BIN/collector" --ring "$ring" --capacity 1048576 sim --rate 10000 --count 1 >/dev/null 2>&1
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$BIN/shmreader" --ring "$ring" --from latest >"$T/fifo" &
	sr=$!
	"$BIN/redispub" -u "redis://127.0.0.1:$rport" --stats-interval 0 <"$T/fifo" 2>/dev/null &
	rp=$!
	pids="$pids $sr $rp"
	sleep 0.3
	"$BIN/collector" --ring "$ring" sim --rate 10000 --count 50000 >/dev/null 2>&1
	wait "$s"
	_ss=$?
	kill "$sr" "$rp" 2>/dev/null
	wait "$sr" "$rp" 2>/dev/null
	stop_gw
	sub_result "$_ss" "$T/lat" || return 1
	goal="" ok=""
	if [ "$1" = 1 ]; then
		goal="p50 < 500 us, p99 < 3 ms"
		ok=$(awk -v a="$p50" -v b="$p99" 'BEGIN { print (a < 500 && b < 3000) ? "yes" : "no" }')
	fi
	echo "| ws | latency recv -> WebSocket client at 10 K msg/s (collector sim, ring, shmreader, redispub, Redis, wsgate; $1 client(s) on md.sim.*, $d frames) | p50 $p50 us, p99 $p99 us | $goal | $ok |"
}
# the wsgate hop alone: PUBLISH time -> client, same rate
hop_row() {
	start_wsgate
	timeout 120 "$WSB" sub "$wport" md.bench.hop.trade 1 1500 >"$T/hop.out" 2>"$T/hop.err" &
	s=$!
	wait_until grep -q ready "$T/hop.out" || return 1
	wait_until subscribed md.bench.hop.trade || return 1
	"$WSB" pub "$rport" md.bench.hop.trade 10000 50000 200 >/dev/null || return 1
	wait "$s"
	_ss=$?
	stop_gw
	sub_result "$_ss" "$T/hop" || return 1
	echo "| ws | latency wsbench PUBLISH -> Redis -> wsgate -> WebSocket client at 10 K msg/s (gateway hop only, 1 client, $d of 50000 frames) | p50 $p50 us, p99 $p99 us | | |"
}
# sub_result STATUS FILE: p50, p99 and d (frames) from a subscriber that
# ended well (FILE.out; its errors in FILE.err), or fails saying why
sub_result() {
	line=$(grep delivered "$2.out")
	p50=$(echo "$line" | sed -n 's/.*p50_us=\([0-9]*\).*/\1/p')
	p99=$(echo "$line" | sed -n 's/.*p99_us=\([0-9]*\).*/\1/p')
	d=$(echo "$line" | sed -n 's/.*delivered=\([0-9]*\).*/\1/p')
	[ "$1" = 0 ] && [ -n "$p50" ] && [ -n "$p99" ] && [ -n "$d" ] && return
	why="the subscriber exited $1 ($(tail -n 1 "$2.err")), measured: ${line:-nothing}"
	return 1
}
why=''
hop_row ||
    echo "| ws | latency wsbench PUBLISH -> Redis -> wsgate -> WebSocket client (gateway hop only) | FAILED: ${why:-no subscriber} | | no |"
for n in 1 10; do
	why=''
	lat_row "$n" ||
	    echo "| ws | latency recv -> WebSocket client at 10 K msg/s, $n client(s) | FAILED: ${why:-no subscriber} | | no |"
done

# --- memory per idle client ---
start_wsgate
r0=$(awk '/^VmRSS/ { print $2 }' "/proc/$gw/status")
"$WSB" sub "$wport" md.bench.idle.trade 1000 1000 8 >"$T/idle.out" 2>"$T/idle.err" &
s=$!
pids="$pids $s"
wait_until grep -q ready "$T/idle.out" || { cat "$T/idle.err" >&2; exit 1; }
r1=$(awk '/^VmRSS/ { print $2 }' "/proc/$gw/status")
wait "$s"
stop_gw
per=$(( (r1 - r0) * 1024 / 1000 ))
ok=no
[ "$per" -lt 65536 ] && ok=yes
echo "| memory | wsgate RSS per idle connected client (1000 clients, each subscribed) | $per B | < 64 KiB | $ok |"

# --- conflation: 1000 clients on one book channel of a 100 K msg/s source ---
# The real pipeline (collector sim -> shmreader -> redispub) publishes
# md.sim.BTC-USD.book (and its trades) at 100 K msg/s for 3 s, twice: to
# 1000 clients unconflated (wsgate --slow-client-hz 0, so none is moved),
# then to the same 1000 at max_hz 10.  Unconflated, wsgate cannot keep
# up and falls behind (Redis holds the rest), so the rows compare wsgate
# CPU time per book message it read, and the bytes sent at max_hz 10
# with those that every message to every client takes.
metrics_get() {	# FILE: wsgate's /metrics, at one moment
	/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' "$wport" >"$1"
}
metric_val() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }	# FILE NAME
# cfl_run MAX_HZ|"": prints "cpu_ms bytes frames_made msgs_in msgs_out"
# over the window
cfl_run() {
	wport=$(free_port)
	rm -f "$T/ready"
	"$BIN/wsgate" -l "127.0.0.1:$wport" -u "redis://127.0.0.1:$rport" \
	    --output-cap 268435456 --max-clients 20000 --slow-client-hz 0 \
	    -d 3 3>"$T/ready" 2>"$T/wsgate.log" &
	gw=$!
	pids="$pids $gw"
	wait_until test -s "$T/ready" || return 1
	# no late-joiner keys: 1000 reads of them would be measured too
	redis-cli -p "$rport" del md.sim.BTC-USD.book.snapshot \
	    md.sim.BTC-USD.book.deltas >/dev/null
	rm -f "$T/cfl.out"
	if [ -n "$1" ]; then
		WSBENCH_MAX_HZ=$1 "$WSB" sub "$wport" md.sim.BTC-USD.book 1000 \
		    1500 >"$T/cfl.out" 2>"$T/cfl.err" &
	else
		"$WSB" sub "$wport" md.sim.BTC-USD.book 1000 1500 \
		    >"$T/cfl.out" 2>"$T/cfl.err" &
	fi
	s=$!
	pids="$pids $s"
	wait_until grep -q ready "$T/cfl.out" || { cat "$T/cfl.err" >&2; return 1; }
	c0=$(cpu_ticks "$gw")
	metrics_get "$T/m0"
	"$BIN/collector" --ring "$ring" sim --rate 100000 --count 300000 \
	    --symbols BTC-USD >/dev/null 2>&1
	c1=$(cpu_ticks "$gw")
	metrics_get "$T/m1"
	b0=$(metric_val "$T/m0" wsgate_bytes_out_total)
	b1=$(metric_val "$T/m1" wsgate_bytes_out_total)
	f=$(metric_val "$T/m1" wsgate_conflated_frames_total)
	i=$(metric_val "$T/m1" wsgate_messages_in_total)
	o=$(metric_val "$T/m1" wsgate_messages_out_total)
	kill "$s" 2>/dev/null
	wait "$s" 2>/dev/null
	stop_gw
	echo "$(( (c1 - c0) * 1000 / hz )) $((b1 - b0)) $f $i $o"
}
cfl_rows() {
	if ! [ -x "$BIN/collector" ] || ! [ -x "$BIN/shmreader" ] ||
	    ! [ -x "$BIN/redispub" ]; then
		echo "| ws | conflation, 1000 clients | not run: pipeline not built | | no |"
		return
	fi
	ring="benchcfl.$$"
	rings="${rings:-} $ring"
	"$BIN/collector" --ring "$ring" --capacity 1048576 sim --rate 100000 \
	    --count 1 --symbols BTC-USD >/dev/null 2>&1
	rm -f "$T/cfifo"
	mkfifo "$T/cfifo"
	"$BIN/shmreader" --ring "$ring" --from latest >"$T/cfifo" 2>/dev/null &
	sr=$!
	"$BIN/redispub" -u "redis://127.0.0.1:$rport" --stats-interval 0 \
	    <"$T/cfifo" 2>/dev/null &
	rp=$!
	pids="$pids $sr $rp"
	u=$(cfl_run "") || { echo "part-ws: unconflated run failed" >&2; return 1; }
	c=$(cfl_run 10) || { echo "part-ws: conflated run failed" >&2; return 1; }
	kill "$sr" "$rp" 2>/dev/null
	wait "$sr" "$rp" 2>/dev/null
	# shellcheck disable=SC2086 # five numbers each
	set -- $u $c
	# $1..$5 unconflated, $6..$10 conflated: cpu bytes frames in out.
	# The conflated run keeps up, so its msgs_in is what reached wsgate
	# on the channel in the window; unconflated at its bytes per message,
	# all of them to every client would take "need" bytes.
	awk -v uc="$1" -v ub="$2" -v ui="$4" -v uo="$5" -v cc="$6" -v cb="$7" \
	    -v cf="$8" -v ci="$9" -v co="${10}" 'BEGIN {
		need = ci * 1000 * (uo > 0 ? ub / uo : 0)
		uu = ui > 0 ? uc * 1000 / ui : 0
		cu = ci > 0 ? cc * 1000 / ci : 0
		printf "| ws | 1000 clients on md.sim.BTC-USD.book, source collector sim --rate 100000 for 3 s (-> shmreader -> redispub): wsgate unconflated, falls behind (read %.0f book messages in the window, delivered %.0f frames, %.0f B) | %.1f us CPU per book message read (%.0f ms) | | |\n", ui, uo, ub, uu, uc
		printf "| ws | the same 1000 clients at max_hz 10, same source, same run: each brought to the latest book every tick (read %.0f, made %.0f frames for all 1000, delivered %.0f, %.0f B) | %.1f us CPU per book message read (%.0f ms) = %.0fx less | | |\n", ci, cf, co, cb, cu, cc, (cu > 0 ? uu / cu : 0)
		printf "| ws | bytes to bring the 1000 clients through those %.0f book messages: unconflated (every message to every client, at its measured %.0f B) vs max_hz 10 (sent) | %.0f B vs %.0f B = %.0fx less | | |\n", ci, (uo > 0 ? ub / uo : 0), need, cb, (cb > 0 ? need / cb : 0)
	}'
}
cfl_rows || echo "part-ws: conflation run failed" >&2
