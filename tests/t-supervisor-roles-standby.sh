#!/bin/sh
# shellcheck disable=SC2154 # addr_*: set by host (tests/netns.sh)
# t-supervisor-roles-standby: a leader and a standby collector host, by
# ROLES=collector and LEASE (tickpipe(8)).  Host r runs the Redis and the
# gateway (ROLES=redis,gateway, REDIS_BIND), hosts a and b each a
# collector supervisor with the same LEASE, REDIS_URL at r and a copy of
# r's password file; a client on a fourth host watches r's wsgate.  The
# hosts are network namespaces where the test can make them, else
# loopback (tests/netns.sh; the test says which).  a, started first,
# holds the lease: both a's and b's `tickpipe status` name a's redispub
# (host:pid) as its holder, and b publishes nothing.  Host a dies (its
# supervisor and every process of its stages SIGKILLed): b's redispub
# takes the lease (lease 1 s), the client gets the resync status line and
# data after it, and b's status names b's redispub as the holder.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
# shellcheck disable=SC1091
. "$TESTS/netns.sh"

[ -x "$BIN/wsgate" ] || skip "wsgate not built"
tpr() { on r sh "$TP_SCRIPT" -c "$CONF" "$@"; }
tpc() { _h=$1; shift; on "$_h" sh "$TP_SCRIPT" -c "$T/$_h.conf" "$@"; }
cleanup() {
	for h in a b; do
		[ ! -d "$T/state-$h" ] || tpc "$h" stop >/dev/null 2>&1
	done
	sv_cleanup
	netns_cleanup
}
trap cleanup EXIT

netns_init
host r
host a
host b
host cl
bind=127.0.0.1
[ "$addr_r" = 127.0.0.1 ] || bind="127.0.0.1 $addr_r"
write_conf "ROLES=redis,gateway" "REDIS_BIND=$bind" "WSGATE_LISTEN=$addr_r:$WS_PORT"
tpr start >"$T/out" 2>&1 || { rc=$?; cat "$T/out"; fail "host r: start exited $rc"; }
cp "$SECRET" "$T/password"
chmod 600 "$T/password"

# collector_host NAME: the config of collector host NAME, and its start
collector_host() {
	cat >"$T/$1.conf" <<-EOF2
	STATE_DIR=$T/state-$1
	BIN_DIR=$BIN
	RING=$RING.$1
	ROLES=collector
	LEASE=md.lease
	REDIS_URL=redis://$addr_r:$REDIS_PORT
	REDIS_PASSWORD_FILE=$T/password
	FEED=sim --rate 1000
	REDISPUB_ARGS=--stats-interval 1 --lease-ms 1000
	DERIVER=no
	RECORDER=no
	READY_TIMEOUT=30
	EOF2
	tpc "$1" start >"$T/$1.out" 2>&1 ||
	    { rc=$?; cat "$T/$1.out"; fail "host $1: start exited $rc"; }
}
# redispub_of NAME: the pid of host NAME's pipeline redispub
redispub_of() { awk '$3 == "redispub" { print $1 }' "$T/state-$1/run/pipeline.pids"; }
# holder NAME: the lease holder host NAME's status names, host:pid
holder() {
	tpc "$1" status 2>&1 | sed -n 's/.*lease md\.lease held by \([^:]*:[0-9]*\).*/\1/p'
}
# holds NAME WHO: host NAME's status says host WHO's redispub holds it
holds() { [ "$(holder "$1")" = "$(hostname):$(redispub_of "$2")" ]; }

collector_host a
wait_for 10 grep -q 'lease md.lease taken' "$T/state-a/log/pipeline/current" ||
    fail "a did not take the lease: $(tail -n 3 "$T/state-a/log/pipeline/current")"
collector_host b
$(at cl) /usr/bin/python3 "$TESTS/sentinel/seqcount.py" listen \
    "ws://$addr_r:$WS_PORT/ws" "$T/c.ev" "$T/c.sub" "$T/stop" 2>"$T/c.err" &
client=$!
track $client
wait_for 20 test -e "$T/c.sub" || fail "client did not subscribe: $(cat "$T/c.err")"
wait_for 10 grep -q '^[sb] ' "$T/c.ev" || fail "client got nothing from a"
wait_for 10 holds a a || fail "a's status: lease holder '$(holder a)', a's redispub $(redispub_of a)"
holds b a || fail "b's status: lease holder '$(holder b)', a's redispub $(redispub_of a)"
tpc b status >"$T/sb" 2>&1 || { rc=$?; cat "$T/sb"; fail "b: status exited $rc"; }
grep -q '^  collector: this host, ring .*, lease md.lease held by' "$T/sb" ||
    fail "b's status: $(cat "$T/sb")"
grep -q 'lease md.lease taken' "$T/state-b/log/pipeline/current" &&
    fail "b took the lease from a live a"

# host a dies: its supervisor first, so that nothing restarts
read -r sp _x <"$T/state-a/supervisor.pid"
kill -KILL "$sp"
for f in "$T"/state-a/run/*.pids; do
	while read -r p _t nm; do
		case $nm in s6-log | tickpipe-logrelay) ;; *) kill -KILL "$p" 2>/dev/null ;; esac
	done <"$f"
done
t0=$(date +%s%N)
wait_for 10 grep -q 'lease md.lease taken' "$T/state-b/log/pipeline/current" ||
    fail "b did not take the lease: $(tail -n 3 "$T/state-b/log/pipeline/current")"
t1=$(date +%s%N)
wait_for 10 holds b b || fail "b's status: lease holder '$(holder b)', b's redispub $(redispub_of b)"
held=$(holder b)
sleep 2
touch "$T/stop"
wait "$client" || fail "client: $(tail -n 3 "$T/c.err")"
r=$(/usr/bin/python3 "$TESTS/sentinel/seqcount.py" takeover "$T/c.ev")
case $r in
*"resync=yes"*) ;;
*) fail "no resync status line at the client: $r" ;;
esac
after=${r##*after=}
[ "$after" -gt 300 ] || fail "only $after messages after the takeover"
tpc a stop >/dev/null 2>&1 || fail "a: stop (cleanup after the kill) exited $?"
tpc b stop >/dev/null 2>&1 || fail "b: stop exited $?"
tp stop >/dev/null 2>&1 || fail "r: stop exited $?"
no_procs_left
for h in a b; do
	left=$(pgrep -f -- "--ring $RING.$h( |\$)" | paste -sd , -)
	[ -z "$left" ] || fail "left running of $h: $(ps -o pid=,args= -p "$left")"
done
note "b took the lease $(( (t1 - t0) / 1000000 )) ms after a died; client: $r; holder in b's status: $held"
