#!/bin/sh
# A client subscribed to a trade channel with max_hz 10, on a source at
# about 100 K messages a second (the real collector sim -> shmreader ->
# redispub), gets the trades batched, {"type":"trades","channel":C,
# "trades":[...]}, at most 10 batches a second, and none dropped: the
# trade seqs it got are exactly those of the full stream between the
# first and the last it got.  (Batching saves frames, not bytes: the
# output cap is set for the 5 MB/s of trades.)
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --output-cap 16777216
sim_pipeline 100000 --symbols BTC-USD
cfl_bg rec --url "$WS_URL" --channels md.sim.BTC-USD.trade --max-hz 10 \
    --secs 5 --out "$T/got" 2>"$T/rec.err" &
rec=$!
track $rec
wait "$rec" || fail "client: $(cat "$T/rec.err")"
kill "$SIM_PID"
grep -q '"closed"' "$T/got" && fail "client closed: $(grep closed "$T/got")"
res=$(cfl trades --capture "$T/capture" --got "$T/got" \
    --channel md.sim.BTC-USD.trade --hz 10 2>&1) || fail "$res"
note "$res"
stop_wsgate
