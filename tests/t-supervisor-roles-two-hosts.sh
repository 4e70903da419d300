#!/bin/sh
# shellcheck disable=SC2154 # addr_*: set by host (tests/netns.sh)
# t-supervisor-roles-two-hosts: a pipeline split over two hosts by ROLES
# (tickpipe(8)).  Host a runs a supervisor with ROLES=collector,redis (its
# private Redis bound to a's address too, REDIS_BIND), host b another
# with its own state directory and config, ROLES=gateway, REDIS_URL at
# a's Redis and a's password file (copied, as an operator would).  The
# hosts are network namespaces with their own addresses where the test
# can make them, else loopback (tests/netns.sh; the test says which).  A
# WebSocket client on a third host gets the simulator's data from b's
# wsgate; b started no redis-server and no collector; each `tickpipe
# status` shows its roles and where the others are (a sees b's wsgate
# among its Redis's subscribers, by address); both stop cleanly.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
# shellcheck disable=SC1091
. "$TESTS/netns.sh"

[ -x "$BIN/wsgate" ] || skip "wsgate not built"
CONF_B=$T/b.conf
STATE_B=$T/state-b
WS_PORT_B=$(free_port)
tpa() { on a sh "$TP_SCRIPT" -c "$CONF" "$@"; }
tpb() { on b sh "$TP_SCRIPT" -c "$CONF_B" "$@"; }
cleanup() {
	[ ! -d "$STATE_B" ] || tpb stop >/dev/null 2>&1
	sv_cleanup
	netns_cleanup
}
trap cleanup EXIT

netns_init
host a
host b
host cl
bind=127.0.0.1
[ "$addr_a" = 127.0.0.1 ] || bind="127.0.0.1 $addr_a"
write_conf "ROLES=collector,redis" "REDIS_BIND=$bind"
tpa start >"$T/out" 2>&1 || { rc=$?; cat "$T/out"; fail "host a: start exited $rc"; }
[ -s "$SECRET" ] || fail "host a made no Redis password"
cp "$SECRET" "$T/b.password"
chmod 600 "$T/b.password"
cat >"$CONF_B" <<EOF2
STATE_DIR=$STATE_B
BIN_DIR=$BIN
RING=$RING.b
ROLES=gateway
REDIS_URL=redis://$addr_a:$REDIS_PORT
REDIS_PASSWORD_FILE=$T/b.password
WSGATE_LISTEN=$addr_b:$WS_PORT_B
READY_TIMEOUT=30
EOF2
tpb start >"$T/outb" 2>&1 || { rc=$?; cat "$T/outb"; fail "host b: start exited $rc"; }

$(at cl) /usr/bin/python3 "$TESTS/sentinel/seqcount.py" listen \
    "ws://$addr_b:$WS_PORT_B/ws" "$T/c.ev" "$T/c.sub" "$T/stop" 2>"$T/c.err" &
client=$!
track $client
wait_for 20 test -e "$T/c.sub" || fail "client did not subscribe: $(cat "$T/c.err")"
wait_for 20 grep -q '^[sb] ' "$T/c.ev" ||
    fail "client on b's gateway got no data: $(tail -n 3 "$T/c.err")"
touch "$T/stop"
wait "$client" || fail "client: $(tail -n 3 "$T/c.err")"
got=$(grep -c '^[sbn] ' "$T/c.ev")

tpa status >"$T/sa" 2>&1 || { rc=$?; cat "$T/sa"; fail "host a: status exited $rc"; }
tpb status >"$T/sb" 2>&1 || { rc=$?; cat "$T/sb"; fail "host b: status exited $rc"; }
sed 's/^/  a| /' "$T/sa" >&2
sed 's/^/  b| /' "$T/sb" >&2
grep -q '^roles: collector,redis on this host (ROLES=collector,redis)' "$T/sa" ||
    fail "a's status does not show its roles"
grep -q "^  gateway: *elsewhere; subscribers of this Redis by address: .*$addr_b (" "$T/sa" ||
    fail "a's status does not show b's gateway among its subscribers"
grep -q '^roles: gateway on this host (ROLES=gateway)' "$T/sb" ||
    fail "b's status does not show its roles"
grep -q "^  redis: *elsewhere, redis://$addr_a:$REDIS_PORT (REDIS_URL)" "$T/sb" ||
    fail "b's status does not say where the Redis is"
grep -Eq '^wsgate +up ' "$T/sb" || fail "b's wsgate not up"
grep -Eq '^redis +external ' "$T/sb" || fail "b's redis stage not external"
grep -Eq '^(collector|pipeline|deriver|recorder|derived) ' "$T/sb" &&
    fail "b's status lists collector stages"
grep -Eq '^wsgate ' "$T/sa" && fail "a's status lists a wsgate"
grep -q '^redis .*published [1-9]' "$T/sb" ||
    fail "b's status does not show the publishing collector's counters"
for s in redis collector pipeline; do
	[ ! -s "$STATE_B/run/$s.pids" ] || fail "b started $s: $(cat "$STATE_B/run/$s.pids")"
done
tpb stop >/dev/null 2>&1 || fail "b: stop exited $?"
tpa stop >/dev/null 2>&1 || fail "a: stop exited $?"
no_procs_left
left=$(pgrep -f -- "$addr_b:$WS_PORT_B" | paste -sd , -)
[ -z "$left" ] || fail "left running on b: $(ps -o pid=,args= -p "$left")"
note "client on b's gateway got $got messages from a's collector and Redis"
