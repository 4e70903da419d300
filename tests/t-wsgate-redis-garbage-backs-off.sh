#!/bin/sh
# A Redis that answers each connection's first command, then sends what
# is not RESP (a protocol error: the connection lost), is retried with
# the backoff growing, 100 ms doubling to 5 s: the backoff starts again
# from 100 ms only after a connection stayed up 5 s (wsgate(1)).  It was
# reset by every first answer, so wsgate reconnected every 100 ms for
# ever and clients got redis_up and redis_down ten times a second
# (39 connections in 4 s).  In 4 s: 100+200+400+800+1600 ms, 5 tries of
# a connection, say 8, of each; and the client a redis_up for each try
# of the subscriber's at most.  The fake Redis is
# tests/wsgate/fakeresp.py garbage.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis garbage
start_wsgate
sub_client md.g.X.trade
wait_for 20 grep -q '"status":"redis_down"' "$T/c.out" ||
    fail "no redis_down: $(tail -n 5 "$T/wsgate.log")"
n0=$(grep -c accepted "$T/fake-garbage.err")
sleep 4
tries=$(($(grep -c accepted "$T/fake-garbage.err") - n0))
ups=$(grep -c '"status":"redis_up"' "$T/c.out")
note "$tries connections, $ups redis_up in 4 s"
grep -q 'Protocol error' "$T/wsgate.log" ||
    fail "no protocol error said: $(tail -n 5 "$T/wsgate.log")"
[ "$tries" -le 16 ] || fail "$tries connections in 4 s, $ups redis_up"
[ "$ups" -le 8 ] || fail "$ups redis_up in 4 s"
stop_wsgate
