# shellcheck shell=sh
# cluster.sh: a 3-node Redis Cluster on loopback for the cluster tests
# (sourced after lib.sh).  cluster_up [REDIS-SERVER-ARG...] starts nodes
# a, b and c (cluster-enabled redis-servers on free ports, each bus port
# free too, not port + 10000, which may be past 65535; port_a, port_b,
# port_c; their pids pid_a...; PORTS), joins them with redis-cli
# --cluster create (no replicas) and waits until every node says
# cluster_state:ok.
# Options, set before cluster_up (the defaults are what the tests had
# before them): CLUSTER_REPLICAS=1 also starts nodes d, e and f, one
# replica each for a, b and c (--cluster-replicas 1; which replica
# follows which primary is redis-cli's choice: ask CLUSTER NODES), all
# six in PORTS; CLUSTER_NODE_TIMEOUT (ms, default 5000) is each node's
# cluster-node-timeout, after which a primary that does not answer is
# failed over to its replica; cluster_up then also waits until every
# replica has synced.
# sim_channels sets chans to the 64 channels rp-gen --symbols 32 makes
# and writes their slots and owners (cl slots) to $T/owners.
# With replicas: replica_of_a, cut_replica_a and take_over_a make node
# a's replica miss what a acknowledges, then promote it in a's place;
# feed_split and feed give redispub lines at a pace the test controls;
# booked checks that a client's books missed no delta.
# owner_mark PORT prints the owner mark redispub writes on that node now:
# its node ID and its redis-server's run_id (tickpipe(7) "{C}.owner").
# restart_a SIGKILLs node a and starts it again at once, from what it
# saved last (SAVE: its RDB).

command -v redis-server >/dev/null || skip "redis-server not installed"

cl() { /usr/bin/python3 "$TESTS/cluster/cl.py" "$@"; }

owner_mark() {
	echo "$(redis-cli -p "$1" cluster myid) $(redis-cli -p "$1" info server |
	    tr -d '\r' | sed -n 's/^run_id://p')"
}

# cluster_node NAME [ARG...]
cluster_node() {
	_n=$1
	shift
	_p=$(free_port)
	_bus=$(free_port)
	mkdir -p "$T/$_n"
	redis-server --port "$_p" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$T/$_n" --daemonize no \
	    --cluster-enabled yes --cluster-config-file "$T/$_n/nodes.conf" \
	    --cluster-port "$_bus" --cluster-node-timeout "${CLUSTER_NODE_TIMEOUT:-5000}" \
	    --logfile "$T/$_n/log" "$@" &
	track $!
	eval "port_$_n=$_p pid_$_n=$!"
	wait_for 10 redis-cli -p "$_p" ping || fail "redis $_n did not start"
}

cluster_ok() {
	for _p in $PORTS; do
		redis-cli -p "$_p" cluster info | grep -q 'cluster_state:ok' ||
		    return 1
	done
}

# replicas_up: every replica's link to its primary is up (a replica
# that never synced refuses to fail over: cluster-replica-validity-factor)
replicas_up() {
	for _p in $PORTS; do
		redis-cli -p "$_p" info replication | tr -d '\r' |
		    awk '/^role:slave/ { s = 1 } /^master_link_status:up/ { u = 1 }
		    END { exit s && !u }' || return 1
	done
}

cluster_up() {
	# replicas sync at once, not 5 s later waiting for more of them
	[ "${CLUSTER_REPLICAS:-0}" -eq 0 ] ||
	    set -- --repl-diskless-sync-delay 0 "$@"
	cluster_node a "$@"
	cluster_node b "$@"
	cluster_node c "$@"
	# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
	PORTS="$port_a $port_b $port_c"
	if [ "${CLUSTER_REPLICAS:-0}" -eq 1 ]; then
		cluster_node d "$@"
		cluster_node e "$@"
		cluster_node f "$@"
		# shellcheck disable=SC2154 # port_*: set by cluster_node
		PORTS="$PORTS $port_d $port_e $port_f"
	fi
	# shellcheck disable=SC2046 # one host:port each
	redis-cli --cluster create $(printf '127.0.0.1:%s ' $PORTS) \
	    --cluster-replicas "${CLUSTER_REPLICAS:-0}" --cluster-yes \
	    >"$T/create.log" 2>&1 ||
	    fail "cluster create: $(tail -n 3 "$T/create.log")"
	wait_for 20 cluster_ok || fail "the cluster did not become ok"
	wait_for 20 replicas_up || fail "the replicas did not sync"
}

sim_channels() {
	chans=""
	_i=0
	while [ "$_i" -lt 32 ]; do
		_s=$(printf 'S%02d-USD' "$_i")
		chans="$chans md.sim.$_s.trade md.sim.$_s.book"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # the list of channels
	cl slots "$port_a" $chans >"$T/owners" || fail "CLUSTER SLOTS"
}

# cl_sub NAME PORT [--asking] CHANNEL...: a subscriber of node PORT
# (cl.py sub), its messages in $T/NAME.msgs, once it is acknowledged
cl_sub() {
	_n=$1
	_sp=$2
	shift 2
	mkfifo "$T/$_n.ready"
	cl sub "$_sp" "$T/$_n.msgs" "$@" >"$T/$_n.ready" 2>"$T/$_n.err" &
	track $!
	read -r _ok <"$T/$_n.ready" || true
	[ "$_ok" = ready ] || fail "subscriber $_n: $(cat "$T/$_n.err")"
}

wscount() { /usr/bin/python3 "$TESTS/cluster/wscount.py" "$@"; }

# cluster_pick KIND: the channels of four sim symbols with their slots
# and owners in $T/owners ("CHANNEL SLOT PORT", cl.py slots), and the
# first one of KIND (trade, book): pick, its name; slot; src and
# src_pid, its node's port and pid; dst and other, the two other nodes
# shellcheck disable=SC2034,SC2154 # set for the test; _pid by eval
cluster_pick() {
	_cp=""
	for _s in S00-USD S01-USD S02-USD S03-USD; do
		_cp="$_cp md.sim.$_s.trade md.sim.$_s.book"
	done
	# shellcheck disable=SC2086 # the list of channels
	cl slots "$port_a" $_cp >"$T/owners" || fail "CLUSTER SLOTS"
	read -r pick slot src <<EOF
$(awk -v k=".$1" 'substr($1, length($1) - length(k) + 1) == k { print; exit }' "$T/owners")
EOF
	[ -n "$pick" ] || fail "no $1 channel: $(cat "$T/owners")"
	dst="" other=""
	for _n in a b c; do
		eval "_p=\$port_$_n _pid=\$pid_$_n"
		if [ "$_p" = "$src" ]; then
			src_pid=$_pid
		elif [ -z "$dst" ]; then
			dst=$_p
		else
			other=$_p
		fi
	done
}

# cluster_sub_owners: a subscriber (cl_sub) on each node of $PORTS for
# the channels of $T/owners it owns
cluster_sub_owners() {
	for _p in $PORTS; do
		# shellcheck disable=SC2046 # the channels of node _p
		cl_sub "n$_p" "$_p" $(awk -v p="$_p" '$3 == p { print $1 }' "$T/owners")
	done
}

# ws_checked W: wscount check of client W's events against $T/in, its
# counts noted, else fail
ws_checked() {
	_r=$(wscount check "$T/in" "$T/$1.ev" 2>"$T/$1.chk") ||
	    fail "client $1: $_r: $(head -n 5 "$T/$1.chk")"
	note "client $1: $_r"
}

# ws_client NAME: a WebSocket client on wsgate ($WS_URL) counting every
# channel of $chans into $T/NAME.ev, once wsgate says it is subscribed
ws_client() {
	# shellcheck disable=SC2086 # the list of channels
	wscount listen "$WS_URL" "$T/$1.ev" "$T/$1.ready" "$T/stop" $chans &
	track $!
	wait_for 20 test -e "$T/$1.ready" || fail "client $1 not subscribed"
}

# cluster_feed [URL COUNT RATE SYMBOLS]: rp-gen, COUNT lines (40000) at
# RATE a second (4000) on SYMBOLS symbols (32: the channels of
# sim_channels), through tee $T/in into redispub -u URL ($REDIS_URL; its
# stderr in $T/rp.err, its pid rp_pid)
cluster_feed() {
	"$GEN" --count "${2:-40000}" --rate "${3:-4000}" --symbols "${4:-32}" \
	    --snapshot-every 100 | tee "$T/in" |
	    "$BIN/redispub" -u "${1:-$REDIS_URL}" --flush-timeout 20 \
	    2>"$T/rp.err" &
	rp_pid=$!
	track "$rp_pid"
}

# replica_of_a: rep_a, the port of node a's replica (CLUSTER_REPLICAS=1),
# once a's own view names it (gossip: not at once), else fail
replica_of_a() {
	_id_a=$(redis-cli -p "$port_a" cluster myid)
	_rep_of_a() {
		rep_a=$(redis-cli -p "$port_a" cluster nodes |
		    awk -v id="$_id_a" '$4 == id { split($2, a, "[:@]"); print a[2] }')
		[ -n "$rep_a" ]
	}
	wait_for 10 _rep_of_a ||
	    fail "node a has no replica: $(redis-cli -p "$port_a" cluster nodes)"
}

# cut_replica_a: node a's replica stops syncing for good (a asks a
# password it does not have, and drops its link), so what a acknowledges
# from now on is not on the replica
cut_replica_a() {
	printf 'CONFIG SET requirepass tp-cut-replication\nCLIENT KILL TYPE replica\n' |
	    redis-cli -p "$port_a" >"$T/cut.log" 2>&1
	_link_down() {
		redis-cli -p "$rep_a" info replication |
		    grep -q 'master_link_status:down'
	}
	wait_for 5 _link_down || fail "replica $rep_a still syncs: $(cat "$T/cut.log")"
}

# take_over_a: node a SIGKILLed, its replica promoted (CLUSTER FAILOVER
# TAKEOVER); PORTS loses a; fails unless the cluster is ok within 20 s
take_over_a() {
	# shellcheck disable=SC2154 # pid_a: set by cluster_node through eval
	kill -KILL "$pid_a"
	wait "$pid_a" 2>/dev/null
	redis-cli -p "$rep_a" cluster failover takeover >"$T/takeover.log" 2>&1
	PORTS=$(echo "$PORTS" | tr ' ' '\n' | grep -vx "$port_a" | paste -sd' ')
	_promoted() {
		[ "$(redis-cli -p "$rep_a" role | head -n 1)" = master ] &&
		    cluster_ok
	}
	wait_for 20 _promoted ||
	    fail "replica $rep_a not promoted: $(cat "$T/takeover.log")"
}

# restart_a: node a SIGKILLed and started again at once with its port,
# bus port, nodes.conf (same node ID) and dir (its RDB, older than what
# it acknowledged since its last SAVE), without fd 3 (a feed's: redispub
# must see its EOF); pid_a is the new one; fails unless the cluster is
# ok again within 20 s
restart_a() {
	_bus_a=$(redis-cli -p "$port_a" config get cluster-port | sed -n 2p)
	kill -KILL "$pid_a"
	wait "$pid_a" 2>/dev/null
	redis-server --port "$port_a" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$T/a" --daemonize no \
	    --cluster-enabled yes --cluster-config-file "$T/a/nodes.conf" \
	    --cluster-port "$_bus_a" --cluster-node-timeout "${CLUSTER_NODE_TIMEOUT:-5000}" \
	    --logfile "$T/a/log.restarted" 3>&- &
	pid_a=$!
	track "$pid_a"
	wait_for 10 redis-cli -p "$port_a" ping || fail "node a did not start again"
	wait_for 20 cluster_ok || fail "the cluster is not ok with node a back"
}

# feed_split: $T/all, rp-gen's 24000 lines on 32 symbols, a snapshot of
# each first and the next after 500 of its lines; nA, the lines before
# the first of those next ones (part A).  feed FIRST LAST: lines
# FIRST..LAST of $T/all to fd 3, 400 every 0.1 s; fails if a write
# takes longer than FEED_TIMEOUT s (default 60: redispub stopped reading
# its input), with redispub's counters ($rp_pid, SIGUSR1) if it runs.
feed_split() {
	"$GEN" --count 24000 --symbols 32 --snapshot-every 500 >"$T/all"
	nA=$(awk '/"type":"book_snapshot"/ { match($0, /"symbol":"[^"]*"/)
		s = substr($0, RSTART, RLENGTH); if (seen[s]++) { print NR - 1; exit } }' "$T/all")
	[ -n "$nA" ] || fail "rp-gen made no second snapshot"
}
feed() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		_j=$((_i + 399))
		[ "$_j" -le "$2" ] || _j=$2
		# --foreground: in the test's process group, which run.sh's
		# timeout signals
		timeout --foreground "${FEED_TIMEOUT:-60}" \
		    sed -n "${_i},${_j}p" "$T/all" >&3 || feed_stuck "$_i" "$_j"
		_i=$((_j + 1))
		sleep 0.1
	done
}

# fed_redispub URL ERRFILE: redispub -u URL reading the fifo $T/feed,
# its standard error to ERRFILE, its pid in rp_pid (tracked), fd 3 the
# fifo's write end for feed; RP_ENV (NAME=VALUE ...) its environment too
fed_redispub() {
	mkfifo "$T/feed"
	# shellcheck disable=SC2086 # RP_ENV: words
	env ${RP_ENV:-} "$BIN/redispub" -u "$1" --flush-timeout 20 \
	    <"$T/feed" 2>"$2" &
	rp_pid=$!
	track "$rp_pid"
	exec 3>"$T/feed"
}

# feed_stuck FIRST LAST: feed's write of lines FIRST..LAST failed or
# did not end: fail, with redispub's last lines and counters
feed_stuck() {
	if [ -n "${rp_pid:-}" ] && exited "$rp_pid"; then
		fail "feed: redispub ended before lines $1..$2: $(tail -n 5 "$T/rp.err")"
	fi
	[ -z "${rp_pid:-}" ] || kill -USR1 "$rp_pid"
	sleep 0.5
	fail "feed: lines $1..$2 not taken within ${FEED_TIMEOUT:-60} s (redispub stopped reading): $(tail -n 8 "$T/rp.err")"
}

# booked W CHANNELS: client W ($T/W.ev) got, per channel of CHANNELS
# (one word each), at least one snapshot, and from each snapshot until
# the next book_invalid or redis_down every delta of the channel in
# $T/all: a book it holds is right; else fail
booked() {
/usr/bin/python3 - "$T/all" "$T/$1.ev" "$2" <<'EOPY' || fail "a book of client $1 missed deltas"
import json, sys
lines, ev, chans = sys.argv[1], sys.argv[2], sys.argv[3].split()
kind, deltas = {}, {}
for line in open(lines):
    m = json.loads(line)
    if m["type"] == "trade":
        continue
    ch = "md.%s.%s.book" % (m["venue"], m["symbol"])
    kind[m["seq"]] = m["type"]
    deltas.setdefault(ch, []).append((m["seq"], m["type"]))
bad = 0
for ch in chans:
    seqs = [s for s, t in deltas[ch]]
    valid, last, snaps, missed = False, None, 0, 0
    for e in open(ev):
        f = e.split()
        if len(f) < 2 or f[1] not in (ch, "*"):
            continue
        if f[0] in ("i", "d"):
            valid = False
        if f[0] != "m":
            continue
        q = int(f[2])
        if kind[q] == "book_snapshot":
            valid, last = True, q
            snaps += 1
            continue
        if not valid or q <= last:
            continue
        # every delta of ch between last and q must have come
        gap = [s for s in seqs if last < s < q and kind[s] == "book_delta"]
        if gap:
            missed += len(gap)
            print("%s: after %d, %d deltas missed (%d..%d) before %d, "
                  "unannounced" % (ch, last, len(gap), gap[0], gap[-1], q),
                  file=sys.stderr)
            valid = False
            continue
        last = q
    if missed or snaps == 0:
        bad += 1
    print("  %s: %d snapshots, %d deltas missed" % (ch, snaps, missed),
          file=sys.stderr)
sys.exit(1 if bad else 0)
EOPY
}
