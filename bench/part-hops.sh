#!/bin/sh
# part-hops.sh: where the latency goes (issue 12).  One pipeline at 10 K
# msg/s (collector sim -> ring -> shmreader -> redispub -> Redis ->
# wsgate -> a WebSocket client), and in the same run:
#
# 1. taps from the outside, after each hop, each measuring now - the
#    collector's receive stamp ("recv"):
#   ring      bench/hoptap ring: a reader of the ring
#   shmreader a second shmreader | bench/hoptap lines
#   Redis     tests' rp-sub, a hiredis subscriber (md.sim.*)
#   wsgate    bench/wsbench sub, one WebSocket client (md.sim.*)
#    Each hop's p50 is the difference of the p50s of its two taps (they
#    are different messages' distributions, so a hop's p99 is not given).
# 2. the programs' own histograms (redispub's statistics object,
#    redispub(1); wsgate's /metrics, wsgate(1)), which do give each
#    hop's p99: recv -> redispub's read, redispub's residence, recv ->
#    wsgate's receipt from Redis, wsgate's residence.
# 3. the wake-up floor: bench/futexpp, two processes ping-ponging
#    through a futex, run right after the pipeline; the wake-ups on the
#    path counted from each path process's voluntary context switches
#    during the run (/proc/PID/status) per message, and structurally
#    (shmreader, redispub, Redis, wsgate, the client: 5); the end-to-end
#    p50 as a multiple of wake-ups x floor (goal: within 1.5x); and
#    from /proc/PID/schedstat over the same interval, each path
#    process's CPU time and run-queue wait (runnable, no CPU free) per
#    message, which say where the rest goes.
set -u
: "${BIN:?}"
for p in "$BIN/collector" "$BIN/shmreader" "$BIN/redispub" "$BIN/wsgate" \
    "$BIN/bench/hoptap" "$BIN/bench/wsbench" "$BIN/tests/rp-sub" \
    "$BIN/bench/futexpp"; do
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
redis=$!
pids="$pids $redis"
wait_until redis-cli -p "$rport" ping || { echo "part-hops: redis did not start" >&2; exit 1; }
wport=$(free_port)
"$BIN/wsgate" -l "127.0.0.1:$wport" -u "redis://127.0.0.1:$rport" -d 3 \
    3>"$T/ready" 2>"$T/wsgate.log" &
wsg=$!
pids="$pids $wsg"
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
# the processes on the path, for their wake-ups (the client: timeout's child)
wsc=$(cat "/proc/$ws/task/$ws/children" 2>/dev/null)
path="shmreader=$sr2 redispub=$rp redis-server=$redis wsgate=$wsg client=${wsc%% *}"
vcs() {	# each process in $path: voluntary switches:ns on CPU:ns run-queued
	for e in $path; do
		printf '%s:%s ' "$(awk '/^voluntary_ctxt_switches/ { print $2 }' \
		    "/proc/${e#*=}/status" 2>/dev/null)" \
		    "$(tr ' ' : <"/proc/${e#*=}/schedstat" 2>/dev/null)"
	done
}
v0=$(vcs)
"$BIN/collector" --ring "$ring" sim --rate "$RATE" --count "$COUNT" >/dev/null 2>&1
sleep 0.3	# the last messages through
v1=$(vcs)
/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "http://127.0.0.1:$wport/metrics" >"$T/metrics" 2>/dev/null
wait "$rs" "$ws"
kill "$sr1" "$sr2" 2>/dev/null
wait "$tl" "$rp" 2>/dev/null
redis-cli -p "$rport" --raw get md.tickpipe.stats >"$T/stats"
sleep 1.2	# the ring tap stops a second after the last record
"$BIN/bench/futexpp" 20000 >"$T/futex.out"

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

# the programs' own histograms, hop by hop (p50/p99 in us)
/usr/bin/python3 - "$T/stats" "$T/metrics" "$RATE" "$COUNT" <<'PY'
import json, sys
st, met, rate, count = sys.argv[1:5]
def prom(name, q):
    for l in open(met):
        if l.startswith('wsgate_%s_quantile_seconds{quantile="%s"}' % (name, q)):
            return float(l.split()[1]) * 1e6
    return float("nan")
def count_of(name):
    for l in open(met):
        if l.startswith("wsgate_%s_seconds_count " % name):
            return int(float(l.split()[1]))
    return 0
try:
    s = json.load(open(st))
except (OSError, ValueError):
    s = {}
rows = []
for key, what in (("lat_read", "recv -> redispub read (collector, ring, shmreader, pipe)"),
                  ("lat_send", "redispub read -> written to Redis (its residence)")):
    h = s.get(key, {"n": 0, "p50": 0, "p99": 0})
    rows.append((what, h["n"], h["p50"] / 1e3, h["p99"] / 1e3))
rows.append(("recv -> wsgate receipt from Redis (all of the above, and Redis)",
             count_of("latency_in"), prom("latency_in", "0.5"), prom("latency_in", "0.99")))
rows.append(("wsgate receipt -> written to the client (its residence)",
             count_of("latency_out"), prom("latency_out", "0.5"), prom("latency_out", "0.99")))
for what, n, p50, p99 in rows:
    print("| hops | in-program: %s at %s msg/s (%s msgs) | p50 %.0f us, p99 %.0f us (n=%d) | | |"
          % (what, rate, count, p50, p99, n))
PY

# the wake-up floor, and the wake-ups on the path
fp50=$(field p50_us <"$T/futex.out") fp99=$(field p99_us <"$T/futex.out")
echo "| hops | wake-up floor: futex ping-pong between two processes, one way (bench/futexpp, same run) | p50 $fp50 us, p99 $fp99 us | | |"
# each process's switches per message, then their sum
# (schedstat: time on the CPU, time runnable but waiting for one)
per() {	# FIELD: each process's delta of that field per message, then the sum
	echo "$path" | awk -v v0="$v0" -v v1="$v1" -v n="$COUNT" -v f="$1" \
	    -v sc="$2" '{
		split(v0, a, " "); split(v1, b, " ")
		for (i = 1; i <= NF; i++) {
			split($i, kv, "="); split(a[i], x, ":"); split(b[i], y, ":")
			w = (y[f] - x[f]) / n / sc; t += w
			printf "%s%s %.2f", (i > 1 ? ", " : ""), kv[1], w
		}
		printf "|%.2f\n", t }'
}
wk=$(per 1 1)
tot=${wk#*|}
echo "| hops | wake-ups per message on the path (voluntary context switches / msgs): ${wk%|*} | $tot measured, 5 structural | | |"
cpu=$(per 2 1000)
rq=$(per 3 1000)
echo "| hops | CPU time per message on the path, us (schedstat): ${cpu%|*} | ${cpu#*|} us | | |"
echo "| hops | run-queue wait per message on the path, us (schedstat: runnable, no CPU free): ${rq%|*} | ${rq#*|} us | | |"
e2e=$(field p50_us <"$T/ws.out")
for k in "$tot measured" "5 structural"; do
	awk -v e="${e2e:-0}" -v w="${k%% *}" -v f="${fp50:-0}" -v k="$k" 'BEGIN {
		m = (w * f > 0) ? e / (w * f) : 0
		printf "| hops | e2e p50 (recv -> WebSocket client) / (wake-ups x floor), %s wake-ups | %.0f us / (%s x %s us) = %.1fx | <= 1.5x | %s |\n",
		    k, e, w, f, m, (m > 0 && m <= 1.5) ? "yes" : "no"
	}'
done
