#!/bin/sh
# A client subscribed to a book channel with max_hz 10, on a source at
# about 100 K messages a second (the real collector sim -> shmreader ->
# redispub), gets at most 10 messages a second (its first snapshot
# apart), each a merged book_delta ("conflated":true) or a snapshot, and
# after every one its book equals the full stream's book at that seq
# (rebuilt from the pipeline's own capture, with Decimal).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
sim_pipeline 100000 --symbols BTC-USD
cfl_bg rec --url "$WS_URL" --channels md.sim.BTC-USD.book --max-hz 10 \
    --secs 6 --out "$T/got" 2>"$T/rec.err" &
rec=$!
track $rec
wait "$rec" || fail "client: $(cat "$T/rec.err")"
kill "$SIM_PID"
grep -q '"closed"' "$T/got" && fail "client closed: $(grep closed "$T/got")"
res=$(cfl book --capture "$T/capture" --got "$T/got" \
    --channel md.sim.BTC-USD.book --hz 10 2>&1) || fail "$res"
note "$res"
stop_wsgate
