#!/bin/sh
# A client that does not keep up even with conflated data is cut: one
# subscribed to a trade channel with max_hz 10 (trades are batched, never
# dropped nor skipped) that stops reading is closed with 1008 once its
# queue passes --output-cap, and the cut is counted in
# wsgate_slow_client_disconnects_total, not as a move to conflation.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --output-cap 1048576
sim_pipeline 20000 --symbols BTC-USD
cfl_bg rec --url "$WS_URL" --channels md.sim.BTC-USD.trade --max-hz 10 \
    --pause-after 3 --pause 15 --secs 40 --out "$T/got" \
    2>"$T/rec.err" &
rec=$!
track $rec
wait "$rec" || fail "client: $(cat "$T/rec.err")"
kill "$SIM_PID"
n=$(grep -c "trades" "$T/got")
[ "$n" -ge 10 ] || fail "cut too early, after $n batches: $(tail -n 1 "$T/got")"
grep -q '"closed"' "$T/got" ||
	fail "client not cut: $(tail -n 1 "$T/got" | cut -c 1-200)"
assert_eq "cuts counted" 1 "$(metric wsgate_slow_client_disconnects_total)"
# its close frame may not get through the full socket: counted as sent
assert_eq "closed 1008" 1 "$(metric 'wsgate_close_frames_total{code="1008"}')"
assert_eq "no move" 0 "$(metric wsgate_slow_client_conflations_total)"
stop_wsgate
