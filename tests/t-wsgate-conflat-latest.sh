#!/bin/sh
# A client subscribed to a latest-value channel (…quote) with max_hz 10
# gets the latest line at most 10 times a second: whole lines, in seq
# order, the last one it gets being the last one published, while the
# source publishes 2000 lines a second.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

C=md.sim.BTC-USD.quote
start_redis
start_wsgate
cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 10 --ready "$T/ready1" \
    --stop-file "$T/stop" --out "$T/got" 2>"$T/rec.err" &
rec=$!
track $rec
wait_for 20 test -e "$T/ready1" || fail "client not subscribed"
assert_eq published 6000 \
    "$(cfl pub "$REDIS_PORT" "$C" --count 6000 --rate 2000 --set-last)"
sleep 1
touch "$T/stop"
wait "$rec" || fail "client: $(cat "$T/rec.err")"
res=$(cfl latest "$T/got" --last 6000 --hz 10 2>&1) || fail "$res"
note "$res"
stop_wsgate
