# shellcheck shell=sh
# shellcheck disable=SC2154 # addr_*, and _a _p ... set by eval
# tests/sentinel/lib.sh: sourced by the t-redis-sentinel-*.sh and
# t-standby-*.sh tests after tests/lib.sh and tests/wsgate/lib.sh.  Each
# server is a simulated host (tests/netns.sh): a network namespace with
# its own address if the test called netns_init and may make them, else
# 127.0.0.1 and a port of its own.  The hosts: a primary p, two replicas
# r1 r2 and three Sentinels s1 s2 s3 (quorum 2, down after 1 s), the
# collector host c (collector sim -> shmreader -> redispub -u
# sentinel://), one host per gateway, and the clients' host cl
# (tests/sentinel/seqcount.py).  Everything is started in the background
# and tracked, so lib.sh's cleanup stops it by pid, and then netns.sh's
# deletes the namespaces.

for _b in collector shmreader redispub; do
	[ -x "$BIN/$_b" ] || skip "$_b not built"
done
# shellcheck disable=SC1091
. "$TESTS/netns.sh"
MASTER=tp
seqcount() { /usr/bin/python3 "$TESTS/sentinel/seqcount.py" "$@"; }

# binds NAME: the addresses a server on host NAME listens on: its own,
# and loopback for the tools run on the host
binds() {
	eval "_a=\$addr_$1"
	if [ "$_a" = 127.0.0.1 ]; then echo "$_a"; else echo "$_a 127.0.0.1"; fi
}

# ncli NAME ARGS...: redis-cli on the server of host NAME
ncli() {
	eval "_a=\$addr_$1 _p=\$port_$1 _h=\$1"
	shift
	on "$_h" redis-cli -h "$_a" -p "$_p" "$@"
}

# node NAME [ARGS...]: host NAME and its redis-server on a free port,
# data in $T/NAME, with ARGS; sets pid_NAME and port_NAME.
node() {
	_name=$1
	_port=$(free_port)
	shift
	host "$_name"
	mkdir -p "$T/$_name"
	# no password, so protected mode would refuse the other hosts (a
	# replica's SYNC, a gateway) on a network of namespaces; that
	# network is the test's alone.  A replica syncs at once, not after
	# the 5 s a primary waits for more replicas to share one transfer.
	# shellcheck disable=SC2046 # at, binds: words on purpose
	$(at "$_name") redis-server --port "$_port" --bind $(binds "$_name") \
	    --protected-mode no --repl-diskless-sync-delay 0 \
	    --save '' --appendonly no --dir "$T/$_name" --daemonize no \
	    --logfile "$T/$_name/log" "$@" &
	track $!
	eval "pid_$_name=\$!; port_$_name=$_port"
	wait_for 10 sh -c "$(at "$_name") redis-cli -h $(binds "$_name" | cut -d' ' -f1) -p $_port ping | grep -qx PONG" ||
	    fail "redis $_name did not start"
}

# sentinel NAME PRIMARY: host NAME and a Sentinel on it watching the
# primary (a node).
sentinel() {
	host "$1"
	mkdir -p "$T/$1"
	_port=$(free_port)
	eval "_pa=\$addr_$2 _pp=\$port_$2"
	cat >"$T/$1/conf" <<-EOC
	port $_port
	bind $(binds "$1")
	daemonize no
	dir $T/$1
	logfile $T/$1/log
	sentinel monitor $MASTER $_pa $_pp 2
	sentinel down-after-milliseconds $MASTER 1000
	sentinel failover-timeout $MASTER 5000
	sentinel parallel-syncs $MASTER 2
	EOC
	$(at "$1") redis-sentinel "$T/$1/conf" >/dev/null 2>&1 &
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
	node r1 --replicaof "$addr_p" "$port_p"
	node r2 --replicaof "$addr_p" "$port_p"
	for s in s1 s2 s3; do
		sentinel "$s" p
	done
	SENTINEL_URL="sentinel://$addr_s1:$port_s1,$addr_s2:$port_s2,$addr_s3:$port_s3/$MASTER"
	for s in s1 s2 s3; do
		wait_for 30 sentinel_knows "$s" 2 ||
		    fail "Sentinel $s does not see 2 replicas up"
	done
}

# sentinel_knows NAME N: the Sentinel of host NAME sees N replicas, linked.
sentinel_knows() {
	[ "$(ncli "$1" sentinel replicas "$MASTER" 2>/dev/null |
	    grep -c '^ok$')" -ge "$2" ]
}

# primary_port, primary_addr: the primary's port, and ADDRESS:PORT,
# according to Sentinel s1.
primary_port() {
	ncli s1 sentinel get-master-addr-by-name "$MASTER" | sed -n 2p
}
primary_addr() {
	ncli s1 sentinel get-master-addr-by-name "$MASTER" | paste -sd : -
}
# sentinels_say: what each Sentinel names as the primary, for a failure
sentinels_say() {
	for _s in s1 s2 s3; do
		printf '%s: %s; ' "$_s" "$(ncli $_s sentinel get-master-addr-by-name "$MASTER" 2>&1 | paste -sd : -)"
	done
}

# start_pipeline RATE COUNT: collector sim at RATE msg/s for COUNT
# messages -> shmreader (its output kept in $T/jsonl) -> redispub;
# waits until the first line is published.
start_pipeline() {
	host c
	$(at c) "$BIN/collector" --ring "$RING" sim --rate "$1" --count "$2" \
	    2>"$T/collector.log" &
	pid_collector=$!
	track $pid_collector
	wait_for 20 "$BIN/shmreader" --ring "$RING" --stat ||
	    fail "no ring: $(tail -n 3 "$T/collector.log")"
	mkfifo "$T/f1" "$T/f2"
	$(at c) "$BIN/shmreader" --ring "$RING" --from oldest >"$T/f1" \
	    2>"$T/shmreader.log" &
	track $!
	tee "$T/jsonl" <"$T/f1" >"$T/f2" &
	track $!
	$(at c) "$BIN/redispub" -u "$SENTINEL_URL" <"$T/f2" 2>"$T/redispub.log" &
	pid_redispub=$!
	track $pid_redispub
	wait_for 20 test -s "$T/jsonl" || fail "shmreader printed nothing"
}

# printed_past SEQ: shmreader has printed a whole line of seq SEQ or
# later (the point of a test's fault: by the stream's progress, not by a
# sleep, which on a busy machine saw the whole stream pass)
printed_past() {
	_pl=$(printed_last)
	[ "${_pl:-0}" -ge "$1" ]
}
# printed_last: the seq of the last whole line shmreader printed, read
# from the file's end (sed over all of it, on a busy machine, ran as long
# as the stream and read lines written since)
printed_last() {
	tail -n 100 "$T/jsonl" | grep '}$' | tail -n 1 |
	    sed -n 's/.*"seq":\([0-9]*\).*/\1/p'
}

# gateway NAME REPLICA: host NAME, a wsgate on it preferring the replica
# of host REPLICA (--replica), and a client on host cl (seqcount.py
# listen), once subscribed.  The output cap holds 8 s of the stream: a
# Python client on a busy machine falls behind for a while, and these
# tests are about Redis, not about wsgate's slow-client conflation
# (which seqcount.py still counts, as announced, if it happens).
gateway() {
	_port=$(free_port)
	host "$1"
	[ -n "${addr_cl:-}" ] || host cl
	rm -f "$T/$1.ready"
	eval "_ga=\$addr_$1 _ra=\$addr_$2 _rp=\$port_$2"
	$(at "$1") "$BIN/wsgate" -v -d 3 -l "$_ga:$_port" -u "$SENTINEL_URL" \
	    --replica "$_ra:$_rp" --output-cap 16777216 \
	    3>"$T/$1.ready" 2>"$T/$1.log" &
	track $!
	eval "pid_$1=\$!"
	wait_for 20 test -s "$T/$1.ready" ||
	    fail "wsgate $1 not ready: $(tail -n 3 "$T/$1.log")"
	$(at cl) /usr/bin/python3 "$TESTS/sentinel/seqcount.py" listen \
	    "ws://$_ga:$_port/ws" "$T/$1.ev" "$T/$1.sub" "$T/stop" \
	    2>"$T/$1.cerr" &
	track $!
	eval "pid_c$1=\$!"
	wait_for 20 test -e "$T/$1.sub" ||
	    fail "client on $1 did not subscribe: $(tail -n 3 "$T/$1.cerr")"
}

# gateway_port NAME: the port of the Redis server wsgate NAME is on.
gateway_port() {
	sed -n 's/.*redis subscriber: Sentinels name [^ ]*:\([0-9]*\).*/\1/p' \
	    "$T/$1.log" | tail -n 1
}

# finish_stream: waits for the collector to end and the last line it
# wrote to reach both clients, then stops the clients.  A client that
# has not got it within 20 s fails the test: the losses seqcount.py
# check excuses are those of a stream that went on to its end.
finish_stream() {
	wait "$pid_collector" || fail "collector failed"
	_last=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/jsonl" | tail -n 1)
	[ -n "$_last" ] || fail "no seq in what shmreader printed"
	wait_for 20 sh -c "grep -q '^. $_last ' '$T/ga.ev' && grep -q '^. $_last ' '$T/gb.ev'"
	_late=''
	for _g in ga gb; do
		grep -q "^. $_last " "$T/$_g.ev" ||
		    _late="$_late $_g (its last event: $(tail -n 1 "$T/$_g.ev"))"
	done
	touch "$T/stop"
	[ -z "$_late" ] ||
	    fail "the last seq published, $_last, did not reach within 20 s the client on$_late"
	wait "$pid_cga" || fail "client a: $(tail -n 3 "$T/ga.cerr")"
	wait "$pid_cgb" || fail "client b: $(tail -n 3 "$T/gb.cerr")"
}
