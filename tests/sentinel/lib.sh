# shellcheck shell=sh
# tests/sentinel/lib.sh: sourced by the t-redis-sentinel-*.sh and
# t-standby-*.sh tests after tests/lib.sh and tests/wsgate/lib.sh.  Hosts are simulated by distinct
# loopback ports on 127.0.0.1 (no network namespaces): a primary, two
# replicas and three Sentinels (quorum 2, down after 1 s), the pipeline
# collector sim -> shmreader -> redispub -u sentinel://, and gateways and
# their clients (tests/sentinel/seqcount.py).  Everything is started in
# the background and tracked, so lib.sh's cleanup stops it by pid.

for _b in collector shmreader redispub; do
	[ -x "$BIN/$_b" ] || skip "$_b not built"
done
MASTER=tp
seqcount() { /usr/bin/python3 "$TESTS/sentinel/seqcount.py" "$@"; }

# node NAME [ARGS...]: a redis-server NAME on a free port, data in
# $T/NAME, with ARGS; sets pid_NAME and port_NAME.
node() {
	_name=$1
	_port=$(free_port)
	shift
	mkdir -p "$T/$_name"
	redis-server --port "$_port" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$T/$_name" --daemonize no \
	    --logfile "$T/$_name/log" "$@" &
	track $!
	eval "pid_$_name=\$!; port_$_name=$_port"
	wait_for 10 redis-cli -p "$_port" ping || fail "redis $_name did not start"
}

# sentinel NAME PRIMARY_PORT: a Sentinel NAME watching the primary.
sentinel() {
	mkdir -p "$T/$1"
	_port=$(free_port)
	cat >"$T/$1/conf" <<-EOC
	port $_port
	bind 127.0.0.1
	daemonize no
	dir $T/$1
	logfile $T/$1/log
	sentinel monitor $MASTER 127.0.0.1 $2 2
	sentinel down-after-milliseconds $MASTER 1000
	sentinel failover-timeout $MASTER 5000
	sentinel parallel-syncs $MASTER 2
	EOC
	redis-sentinel "$T/$1/conf" >/dev/null 2>&1 &
	track $!
	eval "pid_$1=\$!; port_$1=$_port"
}

# start_redis_set: primary p, replicas r1 r2, Sentinels s1 s2 s3; sets
# SENTINEL_URL once every Sentinel sees both replicas linked.
# shellcheck disable=SC2034 # used by the tests that source this file
port_p='' port_r1='' port_r2='' port_s1='' port_s2='' port_s3=''
# shellcheck disable=SC2034 # used by the tests that source this file
pid_p='' pid_r1='' pid_r2='' pid_ga='' pid_gb='' pid_cga='' pid_cgb=''
start_redis_set() {
	command -v redis-sentinel >/dev/null ||
	    skip "redis-sentinel not installed"
	node p
	node r1 --replicaof 127.0.0.1 "$port_p"
	node r2 --replicaof 127.0.0.1 "$port_p"
	for s in s1 s2 s3; do
		sentinel "$s" "$port_p"
	done
	SENTINEL_URL="sentinel://127.0.0.1:$port_s1,127.0.0.1:$port_s2,127.0.0.1:$port_s3/$MASTER"
	for _port in "$port_s1" "$port_s2" "$port_s3"; do
		wait_for 20 sentinel_knows "$_port" 2 ||
		    fail "Sentinel on $_port does not see 2 replicas up"
	done
}

# sentinel_knows PORT N: the Sentinel on PORT sees N replicas, linked.
sentinel_knows() {
	[ "$(redis-cli -p "$1" sentinel replicas "$MASTER" 2>/dev/null |
	    grep -c '^ok$')" -ge "$2" ]
}

# primary_port: the primary's port according to Sentinel s1.
primary_port() {
	redis-cli -p "$port_s1" sentinel get-master-addr-by-name "$MASTER" |
	    sed -n 2p
}

# start_pipeline RATE COUNT: collector sim at RATE msg/s for COUNT
# messages -> shmreader (its output kept in $T/jsonl) -> redispub;
# waits until the first line is published.
start_pipeline() {
	"$BIN/collector" --ring "$RING" sim --rate "$1" --count "$2" \
	    2>"$T/collector.log" &
	pid_collector=$!
	track $pid_collector
	wait_for 20 "$BIN/shmreader" --ring "$RING" --stat ||
	    fail "no ring: $(tail -n 3 "$T/collector.log")"
	mkfifo "$T/f1" "$T/f2"
	"$BIN/shmreader" --ring "$RING" --from oldest >"$T/f1" \
	    2>"$T/shmreader.log" &
	track $!
	tee "$T/jsonl" <"$T/f1" >"$T/f2" &
	track $!
	"$BIN/redispub" -u "$SENTINEL_URL" <"$T/f2" 2>"$T/redispub.log" &
	pid_redispub=$!
	track $pid_redispub
	wait_for 20 test -s "$T/jsonl" || fail "shmreader printed nothing"
}

# gateway NAME PORT: a wsgate NAME preferring the replica on PORT
# (--replica), and a client on it (seqcount.py listen), once subscribed.
gateway() {
	_port=$(free_port)
	rm -f "$T/$1.ready"
	"$BIN/wsgate" -v -d 3 -l "127.0.0.1:$_port" -u "$SENTINEL_URL" \
	    --replica "127.0.0.1:$2" 3>"$T/$1.ready" 2>"$T/$1.log" &
	track $!
	eval "pid_$1=\$!"
	wait_for 20 test -s "$T/$1.ready" ||
	    fail "wsgate $1 not ready: $(tail -n 3 "$T/$1.log")"
	seqcount listen "ws://127.0.0.1:$_port/ws" "$T/$1.ev" \
	    "$T/$1.sub" "$T/stop" 2>"$T/$1.cerr" &
	track $!
	eval "pid_c$1=\$!"
	wait_for 20 test -e "$T/$1.sub" ||
	    fail "client on $1 did not subscribe: $(tail -n 3 "$T/$1.cerr")"
}

# gateway_port NAME: the port of the Redis server wsgate NAME is on.
gateway_port() {
	sed -n 's/.*redis subscriber: Sentinels name 127.0.0.1:\([0-9]*\).*/\1/p' \
	    "$T/$1.log" | tail -n 1
}

# finish_stream: waits for the collector to end and every line it wrote
# to reach both clients (or 20 s), then stops the clients.
finish_stream() {
	wait "$pid_collector" || fail "collector failed"
	_last=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/jsonl" | tail -n 1)
	wait_for 20 sh -c "grep -q '^. $_last ' '$T/ga.ev' && grep -q '^. $_last ' '$T/gb.ev'" ||
	    note "not every line reached both clients within 20 s"
	touch "$T/stop"
	wait "$pid_cga" || fail "client a: $(tail -n 3 "$T/ga.cerr")"
	wait "$pid_cgb" || fail "client b: $(tail -n 3 "$T/gb.cerr")"
}
