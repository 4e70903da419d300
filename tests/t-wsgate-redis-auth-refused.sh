#!/bin/sh
# A Redis that refuses wsgate's AUTH (WRONGPASS: the password changed
# under it, both connections cut) is retried with the backoff, 100 ms
# doubling to 5 s: a connection is up only once Redis has answered its
# first command, so clients get one redis_down and no redis_up until
# the password is right again (they got redis_up and redis_down ten
# times a second, the connection counted up as soon as the socket
# connected); then redis_up and messages flow.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

start_redis --requirepass good
printf 'good\n' >"$T/pw"
start_wsgate --password-file "$T/pw"
sub_client md.a.X.trade
REDISCLI_AUTH=good rcli config set requirepass bad >/dev/null
REDISCLI_AUTH=bad rcli client kill type pubsub >/dev/null
REDISCLI_AUTH=bad rcli client kill type normal >/dev/null
wait_for 20 grep -q '"status":"redis_down"' "$T/c.out" ||
    fail "no redis_down: $(tail -n 5 "$T/wsgate.log")"
sleep 4
refused=$(grep -c 'WRONGPASS' "$T/wsgate.log")
ups=$(grep -c '"status":"redis_up"' "$T/c.out")
downs=$(grep -c '"status":"redis_down"' "$T/c.out")
note "$refused refusals logged in 4 s"
assert_eq "redis_up while AUTH is refused" 0 "$ups"
assert_eq "redis_down while AUTH is refused" 1 "$downs"
# 100+200+400+800+1600+3200 ms: 6 tries per connection, say 8
[ "$refused" -le 24 ] || fail "AUTH tried $refused times in 4 s"
REDISCLI_AUTH=bad rcli config set requirepass good >/dev/null
wait_for 20 grep -q '"status":"redis_up"' "$T/c.out" ||
    fail "no redis_up once AUTH passes: $(tail -n 5 "$T/wsgate.log")"
REDISCLI_AUTH=good rcli publish md.a.X.trade '{"type":"trade","seq":5}' >/dev/null
wait_for 10 grep -q '"seq":5' "$T/c.out" || fail "no message after redis_up"
stop_wsgate
