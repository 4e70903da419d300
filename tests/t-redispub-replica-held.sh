#!/bin/sh
# t-redispub-replica-held: a redis:// URL that names a replica (REPLICAOF)
# gets nothing published out of order (redispub(1)).  The replica refuses
# the writes (-READONLY; the MULTI of a snapshot -EXECABORT) but runs
# PUBLISH: a subscriber of it got the deltas without their snapshot.
# redispub checks with ROLE in its handshake that the server is the
# primary, says it is not, holds the lines and tries again with the usual
# backoff; once the replica is made a primary (REPLICAOF NO ONE) every line
# is published, in order, none dropped.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
A=$REDIS_PORT
mkdir -p "$T/replica"
start_redis --dir "$T/replica" --logfile "$T/replica/log" --replicaof 127.0.0.1 "$A"
wait_for 10 sh -c "redis-cli -p $REDIS_PORT info replication | grep -q 'master_link_status:up'" ||
    fail "the replica did not link up"
"$SUB" -p -t 4 -P "$REDIS_PORT" 'md.sim.*' >"$T/got" 2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
"$GEN" --count 20 --symbols 1 --snapshot-every 10 >"$T/in"
"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/in" 2>"$T/err" &
rp=$!
track $rp
sleep 1.5
got=$(wc -l <"$T/got")
rcli replicaof no one >/dev/null || fail "REPLICAOF NO ONE failed"
wait_pid 30 $rp "redispub, at the end of its input,"
rc=$?
wait_pid 30 $sub "the subscriber"
cat "$T/err" >&2
assert_eq "lines the replica published" 0 "$got"
grep -q 'not the primary' "$T/err" || fail "the replica not said"
assert_eq "exit status" 0 "$rc"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
book expect md <"$T/in" | cut -f 2 >"$T/expect"
cmp -s "$T/expect" "$T/got" ||
    fail "subscriber got $(wc -l <"$T/got") lines, not the 20 fed, in order: $(head -c 300 "$T/got")"
