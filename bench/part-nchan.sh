#!/bin/sh
# part-nchan.sh: wsgate beside nchan (Debian's nginx-light and
# libnginx-mod-nchan, BENCH_PKGS), in the same run, with the same load
# generator and WebSocket sinks (bench/wsbench.c):
#  - fan-out to 100 and to 1000 subscribers of one channel: wsgate fed by
#    Redis PUBLISH (wsbench pub); nchan fed through its WebSocket
#    publisher (wsbench wspub), first with its memory store, then with
#    its Redis backend (nchan_use_redis, the bench's redis-server);
#    messages/s delivered and CPU of the server processes per delivered
#    message (utime + stime from /proc/PID/stat: wsgate + redis-server,
#    nginx master + worker (+ redis-server));
#  - latency publisher -> 1 WebSocket client at 10 K msg/s;
#  - resident memory per idle subscribed client (1000 clients).
# nginx runs in the foreground with its own configuration in a temporary
# directory, one worker, on a loopback port; every process started here
# is stopped by its pid.
set -u
: "${BIN:?}"
WSB=$BIN/bench/wsbench
NCHAN_SO=/usr/lib/nginx/modules/ngx_nchan_module.so
if ! command -v nginx >/dev/null || ! [ -f "$NCHAN_SO" ]; then
	echo "| ws vs nchan | not run: no nginx or nchan module (make deps-bench) | | | no |"
	exit 0
fi
for p in "$BIN/wsgate" "$WSB"; do
	[ -x "$p" ] || { echo "part-nchan: $p not built" >&2; exit 1; }
done
T=$(mktemp -d)
pids=""
srv=""
cleanup() {
	for p in $srv $pids; do kill "$p" 2>/dev/null; done
	for p in $srv $pids; do wait "$p" 2>/dev/null; done
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
listening() {
	/usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1"
}
hz=$(getconf CLK_TCK)
# results: put NAME VALUE, get NAME
put() { echo "$2" >"$T/res.$1"; }
get() { cat "$T/res.$1"; }
# cpu_ticks PID...: their utime + stime, in clock ticks
cpu_ticks() {
	t=0
	for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
	echo "$t"
}
# rss_kib PID...: their VmRSS summed
rss_kib() {
	t=0
	for p in "$@"; do t=$((t + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"))); done
	echo "$t"
}

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
    --client-output-buffer-limit 'pubsub 0 0 0' \
    --dir "$T" --daemonize no --logfile "$T/redis.log" &
redis=$!
pids="$pids $redis"
wait_until redis-cli -p "$rport" ping || { echo "part-nchan: redis did not start" >&2; exit 1; }

# start KIND (wsgate | nchan | nchan-redis): sets port, srv (the pids
# to stop), cpu (the pids whose CPU counts), mem (the pids whose RSS
# counts), pubcmd, subpath
start() {
	port=$(free_port)
	case $1 in
	wsgate)
		rm -f "$T/ready"
		"$BIN/wsgate" -l "127.0.0.1:$port" -u "redis://127.0.0.1:$rport" \
		    --output-cap 268435456 --max-clients 20000 -d 3 3>"$T/ready" \
		    2>"$T/wsgate.log" &
		srv=$!
		wait_until test -s "$T/ready" || return 1
		cpu="$srv $redis" mem=$srv
		;;
	nchan*)
		use=""
		[ "$1" = nchan-redis ] && use="nchan_use_redis on; nchan_redis_url redis://127.0.0.1:$rport;"
		mkdir -p "$T/ng"
		# for the fan-out, nchan keeps a channel's messages so that
		# no subscriber misses one (wsgate: --output-cap); otherwise
		# its default (10), with which it publishes faster; one
		# worker, as wsgate is one process
		cat >"$T/ng/nginx.conf" <<-CONF
		daemon off;
		master_process on;
		worker_processes 1;
		pid $T/ng/nginx.pid;
		error_log $T/ng/error.log warn;
		load_module $NCHAN_SO;
		events { worker_connections 20000; }
		http {
			access_log off;
			client_body_temp_path $T/ng/body;
			nchan_max_reserved_memory 256M;
			$use
			server {
				listen 127.0.0.1:$port;
				location ~ ^/pub/([\w.]+)\$ {
					nchan_publisher websocket;
					nchan_channel_id \$1;
					nchan_message_buffer_length ${nbuf:-10};
				}
				location ~ ^/sub/([\w.]+)\$ {
					nchan_subscriber websocket;
					nchan_channel_id \$1;
				}
			}
		}
		CONF
		nginx -p "$T/ng" -c "$T/ng/nginx.conf" 2>"$T/ng/stderr" &
		srv=$!
		wait_until test -s "$T/ng/nginx.pid" || { cat "$T/ng/stderr" >&2; return 1; }
		wait_until sh -c "ps -o pid= --ppid $srv | grep -q ." || return 1
		worker=$(ps -o pid= --ppid "$srv" | tr -d ' ')
		cpu="$srv $worker" mem="$srv $worker"
		[ "$1" = nchan-redis ] && cpu="$cpu $redis"
		wait_until listening "$port" || return 1
		;;
	esac
}
stop() { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }

# publish KIND CHANNEL RATE COUNT
publish() {
	if [ "$1" = wsgate ]; then
		"$WSB" pub "$rport" "$2" "$3" "$4" 200 >/dev/null
	else
		"$WSB" wspub "$port" "/pub/$2" "$3" "$4" 200 >/dev/null
	fi
}
# subscribe KIND CHANNEL CLIENTS IDLE_MS [HOLD_S] > out: the sink, given
# 3 minutes at most (it waits for a first message without a limit)
subscribe() {
	k=$1 ch=$2
	shift 2
	if [ "$k" = wsgate ]; then
		timeout 180 "$WSB" sub "$port" "$ch" "$@"
	else
		timeout 180 "$WSB" -p "/sub/$ch" sub "$port" "$ch" "$@"
	fi
}
# settled: once the sinks say ready, a moment for the server's own
# subscription (wsgate's to Redis) to be in place before publishing
settled() { sleep 0.5; }
field() { sed "s/.*$1=\([0-9]*\).*/\1/"; }

# fanout KIND CLIENTS RATE COUNT: prints "rate cpu_ns_per_msg delivered
# expected"; a server that stops acknowledging the publisher (wsbench
# gives up after 10 s without a reply) is measured on what it delivered
fanout() {
	ch="bench.fan$2.$$"
	subscribe "$1" "$ch" "$2" 1500 >"$T/sub.out" 2>"$T/sub.err" &
	s=$!
	wait_until grep -q ready "$T/sub.out" || { cat "$T/sub.err" >&2; return 1; }
	settled
	# shellcheck disable=SC2086
	c0=$(cpu_ticks $cpu)
	publish "$1" "$ch" "$3" "$4" 2>"$T/pub.err" ||
	    echo "part-nchan: $1: $(tail -n 1 "$T/pub.err")" >&2
	wait "$s" || { cat "$T/sub.err" >&2; return 1; }
	# shellcheck disable=SC2086
	c1=$(cpu_ticks $cpu)
	line=$(grep delivered "$T/sub.out")
	d=$(echo "$line" | field delivered)
	r=$(echo "$line" | field rate)
	[ "$d" -gt 0 ] || return 1
	echo "$r $(( (c1 - c0) * (1000000000 / hz) / d )) $d $(( $2 * $4 ))"
}
# latency KIND: prints "p50 p99 delivered" (us, us, messages), 1 client at
# 10 K msg/s, 30000 messages
latency() {
	ch="bench.lat.$$"
	subscribe "$1" "$ch" 1 1500 >"$T/lat.out" 2>"$T/lat.err" &
	s=$!
	wait_until grep -q ready "$T/lat.out" || return 1
	settled
	publish "$1" "$ch" 10000 30000 || return 1
	wait "$s" || return 1
	line=$(grep delivered "$T/lat.out")
	echo "$(echo "$line" | field p50_us) $(echo "$line" | field p99_us) $(echo "$line" | field delivered)"
}
# idle KIND: prints bytes of RSS per idle subscribed client (1000)
idle() {
	# shellcheck disable=SC2086
	r0=$(rss_kib $mem)
	subscribe "$1" "bench.idle.$$" 1000 1000 8 >"$T/idle.out" 2>"$T/idle.err" &
	s=$!
	wait_until grep -q ready "$T/idle.out" || { kill "$s"; return 1; }
	sleep 1
	# shellcheck disable=SC2086
	r1=$(rss_kib $mem)
	wait "$s"
	echo $(( (r1 - r0) * 1024 / 1000 ))
}

kinds="wsgate nchan nchan-redis"
for k in $kinds; do
	for n in 100 1000; do
		if [ "$n" = 100 ]; then rate=100000 count=20000; else rate=10000 count=2000; fi
		nbuf=25000
		start "$k" || { echo "part-nchan: $k did not start" >&2; exit 1; }
		put "fan.$n.$k" "$(fanout "$k" "$n" "$rate" "$count" || echo "- - 0 0")"
		stop
		nbuf=""
	done
	start "$k" || exit 1
	put "lat.$k" "$(latency "$k" || echo "- -")"
	stop
	start "$k" || exit 1
	put "idle.$k" "$(idle "$k" || echo "-")"
	stop
done

name() {
	case $1 in
	wsgate) echo "wsgate (Redis PUBLISH in; CPU: wsgate + redis-server)" ;;
	nchan) echo "nchan, memory store (WebSocket publisher; CPU: nginx)" ;;
	nchan-redis) echo "nchan, Redis backend (WebSocket publisher; CPU: nginx + redis-server)" ;;
	esac
}
# fan-out rows: RATE CPU_NS DELIVERED EXPECTED per kind
for n in 100 1000; do
	if [ "$n" = 100 ]; then rate=100000; else rate=10000; fi
	for k in nchan nchan-redis; do
		get "fan.$n.$k" | awk -v what="fan-out to $n clients (offered $rate msg/s x $n, 200 B): $(name "$k")" '{
			d = ($3 < $4) ? sprintf(" (only %d of %d: the server stalled)", $3, $4) : ""
			printf "| ws vs nchan | %s | %s msg/s delivered%s, %s ns CPU/msg | | |\n", what, $1, d, $2 }'
	done
	echo "$(get "fan.$n.wsgate") $(get "fan.$n.nchan") $(get "fan.$n.nchan-redis")" |
	    awk -v n="$n" -v name="$(name wsgate)" '
		function x(c) { return (c != "-" && c > 0 && $2 > 0) ? sprintf("%.1f", c / $2) : "-" }
		{
		a = x($6); b = x($10)
		ok = ($3 == $4 && a != "-" && b != "-" && a + 0 >= 2 && b + 0 >= 2) ? "yes" : "no"
		printf "| ws vs nchan | fan-out to %d clients: %s | %s msg/s delivered (%d of %d), %s ns CPU/msg = %sx nchan'"'"'s msgs per CPU-second, %sx nchan+Redis'"'"'s | >= 2x each | %s |\n", n, name, $1, $3, $4, $2, a, b, ok }'
done
for k in $kinds; do
	# shellcheck disable=SC2046 # "p50 p99 delivered", or "-"
	set -- $(get "lat.$k")
	echo "| ws vs nchan | latency publisher -> 1 WebSocket client at 10 K msg/s (30000 msgs; nchan: default message buffer): $(name "$k" | sed 's/; CPU.*)/)/'), ${3:--} of 30000 delivered (the percentiles are of those) | p50 $1 us, p99 ${2:--} us | | |"
done
for k in nchan nchan-redis; do
	echo "| ws vs nchan | RSS per idle subscribed client (1000 clients): $(name "$k" | sed 's/ (.*//') (nginx master + worker) | $(get "idle.$k") B | | |"
done
echo "$(get idle.wsgate) $(get idle.nchan) $(get idle.nchan-redis)" | awk '{
	ok = ($1 != "-" && $2 != "-" && $3 != "-" && $1 + 0 < $2 + 0 && $1 + 0 < $3 + 0) ? "yes" : "no"
	printf "| ws vs nchan | RSS per idle subscribed client (1000 clients): wsgate | %s B | < nchan'"'"'s | %s |\n", $1, ok }'
