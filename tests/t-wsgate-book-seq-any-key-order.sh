#!/bin/sh
# wsgate's seq filter reads "type" and "seq" as members of a book
# message's top object, wherever they stand and whatever nested values
# hold a "seq" of their own: redispub forwards any valid JSON, not only
# shmreader's key order (tickpipe(7)).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

ch=md.t.X-Y.book
numsub_is() { test "$(rcli pubsub numsub "$ch" | sed -n 2p)" = "$1"; }
wsc_bg sub --url "$WS_URL" --channels "$ch" --count 4 --timeout 30 \
    --ready "$T/client.ready" >"$T/out" 2>"$T/err" &
pid=$!
track "$pid"
wait_for 20 test -e "$T/client.ready" || fail "client not subscribed"
wait_for 20 numsub_is 1 || fail "channel not subscribed in Redis"

pub() { rcli publish "$ch" "$1" >/dev/null; }
# A: the snapshot, seq 10, last
pub '{"type":"book_snapshot","venue":"t","symbol":"X-Y","n":"A","bids":[],"asks":[],"seq":10}'
# B: seq 11 after a nested "seq": 1, which is not the message's
pub '{"type":"book_delta","venue":"t","symbol":"X-Y","n":"B","changes":[{"seq":1}],"seq":11}'
# C: seq 12 before type
pub '{"seq":12,"venue":"t","symbol":"X-Y","n":"C","type":"book_delta"}'
# D: seq 12 again, so dropped
pub '{"seq":12,"venue":"t","symbol":"X-Y","n":"D","type":"book_delta"}'
# E: seq 13
pub '{"n":"E","type":"book_delta","venue":"t","symbol":"X-Y","seq":13}'
wait "$pid" || fail "client: $(cat "$T/err")"
assert_eq "book messages delivered" "A B C E" \
    "$(sed -n 's/.*"n":"\([A-Z]\)".*/\1/p' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
stop_wsgate
