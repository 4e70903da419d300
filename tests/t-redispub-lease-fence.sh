#!/bin/sh
# t-redispub-lease-fence: a standby redispub that takes the lease over
# closes the old leader's connection before it publishes, so that what
# the old leader sent and Redis had not run yet (held by a network that
# lost its packets) never runs after the new leader's lines
# (redispub(1) --lease).
# A private redis-server; leader A (--lease md.lease, 1 s) reaches it
# through tests/redispub/cutproxy.py, a proxy that can hold what clients
# send; standby B connects directly.  The proxy's way to Redis is cut,
# A is fed lines 1..N (held in the proxy); A's renewals stop arriving,
# the lease expires and B takes it; B is fed lines N+1..N+M and a
# subscriber (redis-cli, psubscribe md.*) gets them all; then the way is
# mended and the proxy sends on what it held, to the connection B has
# closed if B fenced it.  No line of A's (seq <= N) may reach the
# subscriber after the first of B's, and B must say it closed a
# connection.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/fence.sh"
fence_setup 2000 1000 4

PROXY_PORT=$(free_port)
/usr/bin/python3 "$TESTS/redispub/cutproxy.py" "$PROXY_PORT" "$REDIS_PORT" \
    "$T/proxy.ready" "$T/cut" 2>"$T/proxy.err" &
track $!
wait_for 10 test -e "$T/proxy.ready" || fail "proxy not up: $(cat "$T/proxy.err")"

mkfifo "$T/a.fifo" "$T/b.fifo"
"$BIN/redispub" -u "redis://127.0.0.1:$PROXY_PORT" --lease md.lease \
    --lease-ms 1000 <"$T/a.fifo" 2>"$T/a.err" &
a=$!
track $a
exec 3>"$T/a.fifo"
# shellcheck disable=SC2317 # called by wait_for
holds() { rcli get md.lease | grep -q ":$1:"; }
# named PID: redispub PID's connection is up and named (redispub(1))
# shellcheck disable=SC2317 # called by wait_for
named() {
	rcli client list | grep -q " name=redispub:md\.tickpipe@[^ ]*:$1 "
}
wait_for 10 holds "$a" || fail "leader A has not the lease: $(cat "$T/a.err")"
# its connection again after the takeover (it closes the connections
# of its base first), named; a redispub that does not fence has none
wait_for 3 grep -q reconnected "$T/a.err" || note "leader A did not reconnect"
wait_for 10 named "$a" || fail "leader A not named: $(cat "$T/a.err")"
"$BIN/redispub" -u "$REDIS_URL" --lease md.lease --lease-ms 1000 \
    <"$T/b.fifo" 2>"$T/b.err" &
b=$!
track $b
exec 4>"$T/b.fifo"
wait_for 10 named "$b" || fail "standby B not connected: $(cat "$T/b.err")"

touch "$T/cut"
cat "$T/a.in" >&3
wait_for 10 holds "$b" || fail "standby B did not take the lease: $(cat "$T/b.err")"
cat "$T/b.in" >&4
last=$(tail -n 1 "$T/b.in" | sed 's/.*"seq":\([0-9]*\).*/\1/')
wait_for 20 grep -q "\"seq\":$last," "$T/sub" ||
    fail "B's lines did not reach the subscriber: $(tail -n 3 "$T/b.err")"
rm "$T/cut"
sleep 1
# A goes first: with B gone it could take the lease back, and publish
kill -KILL "$a"
wait "$a" 2>/dev/null
exec 3>&- 4>&-
wait_pid 30 "$b" "redispub B" || fail "redispub B exited $?: $(tail -n 3 "$T/b.err")"
fence_verdict "the old leader"
exit 0
