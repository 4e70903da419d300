#!/bin/sh
# A pattern subscribed with max_hz 10 ("md.*.BTC-USD.book") brings every
# book channel it matches conflated at that rate, and not also
# unconflated: on a source at about 20 K messages a second (the real
# collector sim -> shmreader -> redispub) the client first gets a
# snapshot, then at most 10 messages a second, each a merged book_delta
# ("conflated":true) or a snapshot, after every one its book equal to
# the full stream's at that seq.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
sim_pipeline 20000 --symbols BTC-USD
cfl_bg rec --url "$WS_URL" --channels 'md.*.BTC-USD.book' --max-hz 10 \
    --secs 6 --out "$T/got" 2>"$T/rec.err" &
rec=$!
track $rec
wait "$rec" || fail "client: $(cat "$T/rec.err")"
kill "$SIM_PID"
grep -q '"closed"' "$T/got" && fail "client closed: $(grep closed "$T/got")"
grep -q '\\"type\\":\\"error' "$T/got" && fail "refused: $(grep error "$T/got")"
res=$(cfl book --capture "$T/capture" --got "$T/got" \
    --channel md.sim.BTC-USD.book --hz 10 2>&1) || fail "$res"
note "$res"
stop_wsgate
