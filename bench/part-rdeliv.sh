#!/bin/sh
# part-rdeliv.sh: how many messages one Redis delivers to subscribers.
# Redis writes each PUBLISHed message once per subscribed connection (a
# wsgate process is one), so doc/scaling.md sizes the replicas by this.
# One private redis-server; S = 1, 10, 100 connections (bench/rdeliv, one
# process, poll(2)) SUBSCRIBEd to one channel; redis-benchmark -P 64
# PUBLISHes N messages of 200 B at its maximum rate (as the ceiling row of
# part-redis.sh does).  Prints, per S, the deliveries/s the subscribers
# counted (first message to last) and redis-server's CPU (utime + stime
# of /proc/PID/stat, before and after) per delivered message.  Every
# subscriber must count all N, or the part fails.
set -u
: "${BIN:?}"
SUB=$BIN/bench/rdeliv
[ -x "$SUB" ] || { echo "part-rdeliv: $SUB not built" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "part-rdeliv: no redis-server" >&2; exit 1; }
D=${RDELIV_DELIVERIES:-2000000}	# deliveries per S
T=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# no output-buffer limit for subscribers: a subscriber that falls behind
# while sharing the CPUs must be slowed, not disconnected (that would be
# loss, not a delivery rate)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --client-output-buffer-limit 'pubsub 0 0 0' \
    --dir "$T" --daemonize no --logfile "$T/redis.log" &
rpid=$!
pids="$pids $rpid"
i=0
until redis-cli -p "$port" ping >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "part-rdeliv: redis did not start" >&2; exit 1; }
	sleep 0.05
done
payload=$(head -c 200 /dev/zero | tr '\0' x)
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$rpid/stat"; }

for s in 1 10 100; do
	n=$(( D / s ))
	"$SUB" "$port" md.bench "$s" "$n" 10 >"$T/sub" 2>"$T/sub.err" &
	sp=$!
	pids="$pids $sp"
	i=0
	until [ "$(redis-cli -p "$port" pubsub numsub md.bench | tail -n 1)" = "$s" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "part-rdeliv: $s subscribers did not subscribe" >&2; exit 1; }
		sleep 0.05
	done
	c0=$(ticks)
	redis-benchmark -p "$port" -P 64 -n "$n" -q PUBLISH md.bench "$payload" \
	    >/dev/null 2>&1 || { echo "part-rdeliv: redis-benchmark failed" >&2; exit 1; }
	wait "$sp" || { echo "part-rdeliv: S=$s: $(tail -n 1 "$T/sub.err")" >&2; exit 1; }
	c1=$(ticks)
	# deliveries=D min=M ns=T
	IFS='= ' read -r key del _ min _ ns <<EOF
$(tail -n 1 "$T/sub")
EOF
	if [ "$key" != deliveries ] || [ "$min" -lt "$n" ] || [ "$ns" -le 0 ]; then
		echo "part-rdeliv: S=$s: bad subscriber output: $(tail -n 1 "$T/sub")" >&2
		exit 1
	fi
	rate=$(( del * 1000000000 / ns ))
	cpu_ns=$(( (c1 - c0) * (1000000000 / hz) ))
	per=$(( cpu_ns / del ))
	percpu=$(awk -v p="$cpu_ns" -v d="$del" 'BEGIN { printf "%d", d * 1e9 / p }')
	echo "| redis | delivery: redis-benchmark -P 64 PUBLISH 200 B, $n msgs to $s subscribed connections (all in one poll(2) process sharing the 2 cores with Redis and the publisher), every one counted all $n | $rate deliveries/s; Redis CPU $(( cpu_ns / 1000000 )) ms = $per ns/delivery ($percpu deliveries per Redis CPU-second) | | |"
done
