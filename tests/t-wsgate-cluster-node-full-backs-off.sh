#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# On a Redis Cluster, a node that takes each connection and answers it
# "-ERR max number of clients reached" is retried with the backoff, 100
# ms doubling to 5 s (wsgate(1) CLUSTER): a node's connection is up only
# once the node has answered its first command without an error.  It
# counted as up as soon as the socket connected, its backoff reset, so
# the node was knocked on every 100 ms for ever.  In 4 s:
# 100+200+400+800+1600 ms, 5 tries of each of wsgate's two connections,
# and a read of the slot map after each of the subscription's: say 24
# connections refused by the node; the client gets one redis_down and
# no redis_up while the node is full, then redis_up and messages.  Three
# nodes on loopback (tests/cluster/cluster.sh); node a is made full
# (maxclients 1) by a connection the test holds, which counts the
# connections it refuses (rejected_connections).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up
# a channel node a serves
# shellcheck disable=SC2046 # the candidates
chan=$(cl slots "$port_a" $(printf 'md.a.S%d.trade ' 1 2 3 4 5 6 7 8 9 10 \
    11 12 13 14 15 16) | awk -v p="$port_a" '$3 == p { print $1; exit }')
[ -n "$chan" ] || fail "no channel on node a"

# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$port_a,127.0.0.1:$port_b"
start_wsgate
sub_client "$chan"
# node a full: maxclients 1, wsgate's connections cut; the connections
# it refuses in the 4 s after redis_down to $T/full.out; maxclients
# back once $T/full.stop exists
/usr/bin/python3 - "$port_a" "$T/c.out" "$T/full.out" "$T/full.stop" \
    >"$T/full.err" 2>&1 <<'EOPY' &
import os, socket, sys, time
port, cout, out, stop = sys.argv[1:]
s = socket.create_connection(("127.0.0.1", int(port)), 5)
f = s.makefile("rb")
def cmd(*args):
    s.sendall(b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (
        len(a.encode()), a.encode()) for a in args]))
    line = f.readline()
    if line[:1] == b"$":
        return f.read(int(line[1:]) + 2).decode()
    if line[:1] == b"-":
        raise RuntimeError(line.decode())
    return line.decode()
def rejected():
    for l in cmd("INFO", "stats").split("\r\n"):
        if l.startswith("rejected_connections:"):
            return int(l.split(":")[1])
cmd("CONFIG", "SET", "maxclients", "1")
cmd("CLIENT", "KILL", "TYPE", "pubsub")
cmd("CLIENT", "KILL", "TYPE", "normal")
for _ in range(200):
    if "redis_down" in open(cout).read():
        break
    time.sleep(0.1)
r0 = rejected()
time.sleep(4)
open(out, "w").write("%d\n" % (rejected() - r0))
while not os.path.exists(stop):
    time.sleep(0.1)
cmd("CONFIG", "SET", "maxclients", "10000")
EOPY
full=$!
track "$full"
wait_for 30 test -s "$T/full.out" || {
	touch "$T/full.stop"
	fail "node a not made full: $(cat "$T/full.err")"
}
n=$(cat "$T/full.out")
ups=$(grep -c '"status":"redis_up"' "$T/c.out")
downs=$(grep -c '"status":"redis_down"' "$T/c.out")
touch "$T/full.stop"
wait "$full" || fail "maxclients not set back: $(cat "$T/full.err")"
note "$n connections refused by node a in 4 s"
assert_eq "redis_up while node a is full" 0 "$ups"
assert_eq "redis_down while node a is full" 1 "$downs"
[ "$n" -le 24 ] || fail "$n connections refused by node a in 4 s"
wait_for 20 grep -q '"status":"redis_up"' "$T/c.out" ||
    fail "no redis_up once node a takes connections: $(tail -n 5 "$T/wsgate.log")"
redis-cli -p "$port_a" SPUBLISH "$chan" '{"type":"trade","seq":5}' >/dev/null
wait_for 10 grep -q '"seq":5' "$T/c.out" || fail "no message after redis_up"
stop_wsgate
