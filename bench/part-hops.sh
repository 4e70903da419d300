#!/bin/sh
# part-hops.sh: where the latency goes, and what cutting it buys (issue
# 12).  The pipeline at 10 K msg/s (collector sim -> ring -> shmreader ->
# redispub -> Redis -> wsgate -> a WebSocket client), run once per
# setting, the settings alternating (base, cut 1, cut 2, ..., base, cut
# 1, ...: HOPS_ROUNDS rounds) so that each cut is measured on and off in
# the same run, under the same load.  Each run measures:
#
# 1. taps from the outside, after each hop, each measuring now - the
#    collector's receive stamp ("recv"):
#   ring      bench/hoptap ring: a reader of the ring
#   shmreader a second shmreader | bench/hoptap lines
#   Redis     tests' rp-sub, a hiredis subscriber (md.sim.*)
#   wsgate    bench/wsbench sub, one WebSocket client (md.sim.*): e2e
#    A hop's p50 share is the difference of the p50s of its two taps.
# 2. the programs' own histograms (redispub's statistics object,
#    redispub(1); wsgate's /metrics, wsgate(1)), which give each hop's
#    p99: recv -> redispub's read, redispub's residence, recv ->
#    wsgate's receipt from Redis, wsgate's residence.
# 3. the wake-up floors: bench/futexpp, two processes ping-ponging
#    through a futex, right after the pipeline, pinned to one CPU (a
#    wake is a context switch) and to two (a wake reaches the other
#    vCPU, which may have halted), SCHED_FIFO with fifo; from /proc/PID/status
#    and /proc/PID/schedstat over the messages, each path process's
#    (shmreader but with direct, redispub, redis-server, wsgate, the
#    client) voluntary switches (its wake-ups), CPU time and run-queue wait (runnable, no
#    CPU free) per message; the e2e p50 as a multiple of wake-ups x
#    floor (goal: within 1.5x), against the one-CPU floor, the lower,
#    and beside it against the two-CPU one.
#
# A setting is "base" (the programs' defaults) or cuts joined by "+"
# (HOPS_SETTINGS, a list):
#   direct  redispub --ring reads the ring itself: no shmreader and no
#           pipe on the path (redispub(1) "READING THE RING")
#   spinN   both shmreaders wait with --spin-us N (shmreader(1); the
#           default is 0, spin50 is what it was before)
#   pin     redis-server on the last CPU, the pipeline (collector,
#           shmreader, redispub, wsgate, the client) on CPU 0 (taskset)
#   fifo    the pipeline and redis-server SCHED_FIFO priority 10 (chrt);
#           a row says so if that is not permitted
#   notaps  no outside taps but the client (what the taps cost)
#   haltpoll  an idle vCPU polls up to 200 us before it halts: the
#           guest's /sys/module/haltpoll/parameters/guest_halt_poll_ns,
#           set for the run and put back after (root, the haltpoll
#           cpuidle driver); a row says so if it cannot be set
# Prints a row per run, then per cut the median over its rounds beside
# base's, then the goals for each setting.  HOPS_FORMAT=wide prints one
# wide table instead of the rows of each run (a run a row), for
# BENCHMARKS.md.
set -u
: "${BIN:?}"
for p in "$BIN/collector" "$BIN/shmreader" "$BIN/redispub" "$BIN/wsgate" \
    "$BIN/bench/hoptap" "$BIN/bench/wsbench" "$BIN/tests/rp-sub" \
    "$BIN/bench/futexpp"; do
	[ -x "$p" ] || { echo "part-hops: $p not built" >&2; exit 1; }
done
RATE=10000 COUNT=${HOPS_BENCH_MSGS:-50000}
SETTINGS=${HOPS_SETTINGS:-base direct spin50 fifo pin notaps haltpoll}
HP=/sys/module/haltpoll/parameters/guest_halt_poll_ns
hp_saved=
ROUNDS=${HOPS_ROUNDS:-2}
FORMAT=${HOPS_FORMAT:-rows}
T=$(mktemp -d)
pids=""
ring=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=""
	[ -z "$ring" ] || "$BIN/shmreader" --ring "$ring" --unlink 2>/dev/null
	ring=""
}
hp_restore() {	# the haltpoll cut's setting, put back
	[ -z "$hp_saved" ] || echo "$hp_saved" >"$HP"
	hp_saved=""
}
trap 'cleanup; hp_restore; rm -rf "$T"' EXIT
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
# numpat_ge PORT N: the Redis on PORT counts N pattern subscriptions or
# more, read at each of wait_until's tries (a $(...) among its arguments
# was read once, before the first: one read before the subscriptions
# were made failed the part 20 s later with them all made, "numpat 2
# of 2")
numpat_ge() { [ "$(redis-cli -p "$1" pubsub numpat)" -ge "$2" ]; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
has() {	# has CUT SETTING: is CUT one of SETTING's cuts
	case "+$2+" in *"+$1+"*) return 0 ;; esac
	return 1
}

# run IDX SETTING: one pipeline with SETTING's cuts; its figures as
# "key value" lines in $T/IDX.res
run() {
	idx=$1 set=$2 D=$T/$1
	mkdir "$D"
	spin=''
	for c in $(echo "$set" | tr + ' '); do
		case $c in
		spin*) spin=${c#spin} ;;
		base|direct|pin|fifo|notaps|haltpoll) ;;
		*) echo "part-hops: unknown cut $c" >&2; return 1 ;;
		esac
	done
	# what each process is started under: pre (the pipeline), rpre
	# (redis-server); both exec, so $! is the process itself
	pre="" rpre="" fifo=""
	if has pin "$set"; then
		last=$(($(nproc) - 1))
		pre="taskset -c 0" rpre="taskset -c $last"
	fi
	if has fifo "$set"; then
		if chrt -f 10 true 2>/dev/null; then
			pre="$pre chrt -f 10" rpre="$rpre chrt -f 10" fifo=ok
		else
			fifo="not permitted"
		fi
	fi
	hpoll=""
	if has haltpoll "$set"; then
		if [ -w "$HP" ] && hp_saved=$(cat "$HP") &&
		    echo 200000 >"$HP" 2>/dev/null; then
			hpoll=ok
		else
			hp_saved="" hpoll="not permitted"
		fi
	fi
	taps=1
	has notaps "$set" && taps=0
	ring="benchhops.$$.$idx"

	rport=$(free_port)
	$rpre redis-server --port "$rport" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$D" --daemonize no \
	    --logfile "$D/redis.log" &
	redis=$!
	pids="$pids $redis"
	wait_until redis-cli -p "$rport" ping ||
	    { echo "part-hops: redis did not start" >&2; return 1; }
	wport=$(free_port)
	$pre "$BIN/wsgate" -l "127.0.0.1:$wport" -u "redis://127.0.0.1:$rport" \
	    -d 3 3>"$D/ready" 2>"$D/wsgate.log" &
	wsg=$!
	pids="$pids $wsg"
	wait_until test -s "$D/ready" ||
	    { echo "part-hops: wsgate did not start" >&2; return 1; }

	# the ring, then the taps and the chain
	"$BIN/collector" --ring "$ring" --capacity 1048576 sim --rate "$RATE" \
	    --count 1 >/dev/null 2>&1
	mkfifo "$D/chain"
	npat=1
	if [ $taps = 1 ]; then
		"$BIN/bench/hoptap" ring "$ring" 100000000 >"$D/ring.out" &
		pids="$pids $!"
		mkfifo "$D/tap"
		"$BIN/shmreader" --ring "$ring" --from latest \
		    ${spin:+--spin-us "$spin"} >"$D/tap" &
		sr1=$!
		"$BIN/bench/hoptap" lines 100000000 <"$D/tap" >"$D/lines.out" &
		tl=$!
		pids="$pids $sr1 $tl"
		"$BIN/tests/rp-sub" -l -p -n 100000000 -t 2 -T 120 -P "$rport" \
		    'md.sim.*' >"$D/redis.out" 2>"$D/redis.err" &
		rs=$!
		pids="$pids $rs"
		npat=2
	fi
	sr2=""
	if has direct "$set"; then
		$pre "$BIN/redispub" -u "redis://127.0.0.1:$rport" \
		    --stats-interval 0 --ring "$ring" --from latest \
		    2>/dev/null &
		rp=$!
	else
		$pre "$BIN/shmreader" --ring "$ring" --from latest \
		    ${spin:+--spin-us "$spin"} >"$D/chain" &
		sr2=$!
		$pre "$BIN/redispub" -u "redis://127.0.0.1:$rport" \
		    --stats-interval 0 <"$D/chain" 2>/dev/null &
		rp=$!
	fi
	pids="$pids $sr2 $rp"
	$pre timeout 180 "$BIN/bench/wsbench" sub "$wport" 'md.sim.*' 1 2000 \
	    >"$D/ws.out" 2>"$D/ws.err" &
	ws=$!
	pids="$pids $ws"
	wait_until grep -q ready "$D/ws.out" ||
	    { echo "part-hops: no WebSocket client" >&2; return 1; }
	wait_until numpat_ge "$rport" "$npat" || {
		echo "part-hops: $set: no Redis subscriber: numpat" \
		    "$(redis-cli -p "$rport" pubsub numpat) of $npat;" \
		    "wsgate: $(tail -n 2 "$D/wsgate.log" | tr '\n' ' ');" \
		    "tap: $(tr '\n' ' ' <"$D/redis.err" 2>/dev/null)" >&2
		return 1
	}
	sleep 0.3
	# the processes on the path (the client: timeout's child)
	wsc=$(cat "/proc/$ws/task/$ws/children" 2>/dev/null)
	path="${sr2:+shmreader=$sr2 }redispub=$rp redis-server=$redis wsgate=$wsg client=${wsc%% *}"
	v0=$(vcs)
	$pre "$BIN/collector" --ring "$ring" sim --rate "$RATE" --count "$COUNT" \
	    >/dev/null 2>&1
	sleep 0.3	# the last messages through
	v1=$(vcs)
	/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
	    "http://127.0.0.1:$wport/metrics" >"$D/metrics" 2>/dev/null
	wait "$ws"
	if [ $taps = 1 ]; then
		wait "$rs"
		kill "$sr1" 2>/dev/null
		wait "$tl" 2>/dev/null
	fi
	# the end of redispub's input, or with --ring a SIGTERM
	kill "${sr2:-$rp}" 2>/dev/null
	wait "$rp" 2>/dev/null
	redis-cli -p "$rport" --raw get md.tickpipe.stats >"$D/stats"
	[ $taps = 0 ] || sleep 1.2	# the ring tap stops a second after
	cleanup
	# under the path's policy: a real-time wake is another floor
	fpre=""
	[ "$fifo" = ok ] && fpre="chrt -f 10"
	$fpre "$BIN/bench/futexpp" -p same 20000 >"$D/futex.out"
	$fpre "$BIN/bench/futexpp" -p cross 20000 >"$D/futexx.out"
	hp_restore
	figures >"$T/$idx.res"
}

vcs() {	# each process in $path: voluntary switches:ns on CPU:ns run-queued
	for e in $path; do
		printf '%s:%s ' "$(awk '/^voluntary_ctxt_switches/ { print $2 }' \
		    "/proc/${e#*=}/status" 2>/dev/null)" \
		    "$(tr ' ' : <"/proc/${e#*=}/schedstat" 2>/dev/null)"
	done
}

per() {	# FIELD SCALE: each path process's delta per message, "|", the sum
	echo "$path" | awk -v v0="$v0" -v v1="$v1" -v n="$COUNT" -v f="$1" \
	    -v sc="$2" '{
		split(v0, a, " "); split(v1, b, " ")
		for (i = 1; i <= NF; i++) {
			split($i, kv, "="); split(a[i], x, ":"); split(b[i], y, ":")
			w = (y[f] - x[f]) / n / sc; t += w
			printf "%s%s %.1f", (i > 1 ? ", " : ""), kv[1], w
		}
		printf "|%.2f\n", t }'
}

figures() {	# the run in $D: "key value" lines
	echo "set $set"
	echo "fifo ${fifo:-}"
	echo "hpoll ${hpoll:-}"
	for tap in ring lines redis ws; do
		if [ -s "$D/$tap.out" ]; then
			echo "$tap $(field p50_us <"$D/$tap.out") $(field p99_us <"$D/$tap.out")"
		else
			echo "$tap - -"
		fi
	done
	# The programs' histograms have 1-2-5 buckets (common/lathist.h):
	# what they give is the bucket that holds the quantile, "lo-hi" us
	# (narrowed to the min and max recorded, where known), never a
	# value interpolated in it and printed as if measured.
	/usr/bin/python3 - "$D/stats" "$D/metrics" <<'PY'
import json, sys
st, met = sys.argv[1:3]
def rng(bounds, counts, q, lo_v=None, hi_v=None):
    """bounds (us) of the bucket where the q-quantile falls; counts not
    cumulative, one more than bounds (the overflow)"""
    n = sum(counts)
    if n == 0:
        return "-"
    need, c = q * n, 0
    for i, k in enumerate(counts):
        c += k
        if c >= need:
            break
    lo = bounds[i - 1] if i > 0 else 0
    hi = bounds[i] if i < len(bounds) else float("inf")
    if lo_v is not None:
        lo = max(lo, lo_v)
    if hi_v is not None:
        hi = min(hi, hi_v)
    return "%g-%g" % (lo, hi)
BOUNDS = [m * 10 ** e for e in range(0, 7) for m in (1, 2, 5)] + [10 ** 7]
try:
    s = json.load(open(st))
except (OSError, ValueError):
    s = {}
for key in ("lat_read", "lat_send"):
    h = s.get(key)
    if h and h.get("n"):
        lo, hi = h["min"] / 1e3, h["max"] / 1e3
        print(key, rng(BOUNDS, h["buckets"], 0.5, lo, hi),
              rng(BOUNDS, h["buckets"], 0.99, lo, hi))
    else:
        print(key, "-", "-")
def prom(name):
    cum = []
    try:
        for l in open(met):
            p = 'wsgate_%s_seconds_bucket{le="' % name
            if l.startswith(p):
                le = l[len(p):].split('"')[0]
                if le != "+Inf":
                    cum.append((float(le) * 1e6, int(l.split()[1])))
                else:
                    cum.append((None, int(l.split()[1])))
    except OSError:
        pass
    if not cum:
        return ["-", "-"]
    bounds = [round(b, 3) for b, _ in cum if b is not None]
    counts = [c - (cum[i - 1][1] if i else 0) for i, (_, c) in enumerate(cum)]
    return [rng(bounds, counts, 0.5), rng(bounds, counts, 0.99)]
print("lat_in", *prom("latency_in"))
print("lat_out", *prom("latency_out"))
PY
	echo "floor $(field p50_us <"$D/futex.out")"
	echo "floorx $(field p50_us <"$D/futexx.out")"
	w=$(per 1 1) c=$(per 2 1000) q=$(per 3 1000)
	echo "wake ${w#*|} ${w%|*}"
	echo "cpu ${c#*|} ${c%|*}"
	echo "rq ${q#*|} ${q%|*}"
}

get() {	# get IDX KEY [N]: the Nth value (1) of KEY in run IDX
	awk -v k="$2" -v n="${3:-1}" '$1 == k { print $(n + 1); exit }' "$T/$1.res"
}
getall() {	# getall IDX KEY: all after KEY
	sed -n "s/^$2 //p" "$T/$1.res"
}

# the runs, alternating
idx=0
r=1
while [ $r -le "$ROUNDS" ]; do
	for s in $SETTINGS; do
		idx=$((idx + 1))
		echo "$idx $s $r" >>"$T/runs"
		run "$idx" "$s" || { cleanup; exit 1; }
	done
	r=$((r + 1))
done
load=$(cut -d' ' -f1-3 /proc/loadavg)

pp() {	# pp IDX KEY: "p50/p99" of KEY
	echo "$(get "$1" "$2" 1)/$(get "$1" "$2" 2)"
}
if [ "$FORMAT" = wide ]; then
	echo "| setting (round) | e2e p50/p99 | taps p50: ring, pipe, Redis sub | redispub recv->read p50/p99 (histogram bucket) | redispub residence (bucket) | wsgate recv->receipt (bucket) | wsgate residence (bucket) | path CPU us/msg | run-queue us/msg | wake-ups/msg | floor p50, one CPU / two |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	while read -r i s r; do
		f=$(get "$i" fifo)
		[ "$f" = "not" ] && s="$s (FIFO not permitted)"
		[ "$(get "$i" hpoll)" = "not" ] && s="$s (haltpoll not set)"
		echo "| $s ($r) | $(pp "$i" ws) | $(get "$i" ring), $(get "$i" lines), $(get "$i" redis) | $(pp "$i" lat_read) | $(pp "$i" lat_send) | $(pp "$i" lat_in) | $(pp "$i" lat_out) | $(get "$i" cpu) | $(get "$i" rq) | $(get "$i" wake) | $(get "$i" floor) / $(get "$i" floorx) |"
	done <"$T/runs"
	echo
	echo "load average at the end: $load; $COUNT msgs a run at $RATE msg/s"
	echo
fi

[ "$FORMAT" = wide ] || while read -r i s r; do
	f=$(getall "$i" fifo)
	note=""
	[ "$f" = "not permitted" ] && note=" (SCHED_FIFO not permitted: ran without)"
	[ "$(getall "$i" hpoll)" = "not permitted" ] &&
	    note="$note (guest_halt_poll_ns could not be set: ran without)"
	echo "| hops | $s$note, round $r, $RATE msg/s, $COUNT msgs: e2e p50/p99 us; in-program hops p50/p99, the 1-2-5 histogram bucket each lies in, us: recv->redispub read, its residence, recv->wsgate receipt, its residence; taps p50 us: ring, pipe, Redis sub | e2e $(pp "$i" ws); $(pp "$i" lat_read), $(pp "$i" lat_send), $(pp "$i" lat_in), $(pp "$i" lat_out); $(get "$i" ring), $(get "$i" lines), $(get "$i" redis) | | |"
	echo "| hops | $s, round $r: per message on the path (each process named): CPU us; run-queue wait us; wake-ups; futex floor p50 us, one CPU / two | CPU $(get "$i" cpu) ($(getall "$i" cpu | cut -d' ' -f2-)); run-queue $(get "$i" rq) ($(getall "$i" rq | cut -d' ' -f2-)); wake-ups $(get "$i" wake); floor $(get "$i" floor) / $(get "$i" floorx) | | |"
done <"$T/runs"

# median over the rounds of KEY's Nth value, for setting S
med() {	# med S KEY N
	while read -r i s r; do
		[ "$s" = "$1" ] && get "$i" "$2" "$3"
	done <"$T/runs" | grep -v '^-$' | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
for s in $SETTINGS; do
	e50=$(med "$s" ws 1) e99=$(med "$s" ws 2) cpu=$(med "$s" cpu 1)
	rq=$(med "$s" rq 1) wk=$(med "$s" wake 1) fl=$(med "$s" floor 1)
	fx=$(med "$s" floorx 1)
	echo "| hops | $s, median of $ROUNDS rounds: e2e p50/p99 us; path CPU, run-queue us/msg (load $load) | e2e $e50/$e99; CPU $cpu; run-queue $rq | | |"
	awk -v s="$s" -v e="$e50" -v p="$e99" -v w="$wk" -v f="$fl" -v fx="$fx" 'BEGIN {
		yn = "no"; if (e + 0 > 0 && e < 300) yn = "yes"
		printf "| hops | %s: e2e p50 < 300 us at 10 K msg/s | %s us | < 300 us | %s |\n", s, e, yn
		yn = "no"; if (p + 0 > 0 && p < 2000) yn = "yes"
		printf "| hops | %s: e2e p99 < 2 ms at 10 K msg/s | %s us | < 2000 us | %s |\n", s, p, yn
		m = (w * f > 0) ? e / (w * f) : 0
		printf "| hops | %s: e2e p50 / (wake-ups x floor), one-CPU floor | %s / (%s x %s) = %.1fx | <= 1.5x | %s |\n",
		    s, e, w, f, m, (m > 0 && m <= 1.5) ? "yes" : "no"
		m = (w * fx > 0) ? e / (w * fx) : 0
		printf "| hops | %s: e2e p50 / (wake-ups x two-CPU floor), beside it | %s / (%s x %s) = %.1fx | | |\n",
		    s, e, w, fx, m
	}'
done
