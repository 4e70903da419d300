#!/bin/sh
# A client that stops reading the book channels a pattern brings it
# ("md.*.BTC-USD.book", no max_hz) is moved to conflation
# (--slow-client-hz, 10 by default) before it is ever cut, as one on an
# exact channel is: it is told {"type":"conflated","channel":C,
# "max_hz":10,"reason":"slow client"} for each such channel, stays
# connected, and from there on gets a snapshot and merged deltas that
# keep its book equal to the full stream's; the move is counted in
# wsgate_slow_client_conflations_total.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

C=md.sim.BTC-USD.book
start_redis
start_wsgate --output-cap 262144
sim_pipeline 20000 --symbols BTC-USD
# it reads again after 4 s, and takes its time over what the kernel holds
cfl_bg rec --url "$WS_URL" --channels 'md.*.BTC-USD.book' --pause-after 1 \
    --pause 4 --until conflated --then 30 --secs 120 --out "$T/slow" \
    2>"$T/slow.err" &
slow=$!
track $slow
wait "$slow" || fail "slow client: $(cat "$T/slow.err")"
kill "$SIM_PID"
grep -q '"closed"' "$T/slow" && fail "slow client cut: $(grep closed "$T/slow")"
grep -q '{\\"type\\":\\"conflated\\",\\"channel\\":\\"md.sim.BTC-USD.book\\",\\"max_hz\\":10,\\"reason\\":\\"slow client\\"}' "$T/slow" ||
	fail "slow client not told it is conflated"
# a snapshot, then merged deltas (wsgate(1), Conflation): one at least
res=$(cfl book --capture "$T/capture" --got "$T/slow" --after conflated \
    --channel "$C" --hz 0 --min-deltas 1 2>&1) ||
    fail "slow client, conflated: $res"
note "slow client, once conflated: $res"
assert_eq "moves counted" 1 "$(metric wsgate_slow_client_conflations_total)"
assert_eq "nobody cut" 0 "$(metric wsgate_slow_client_disconnects_total)"
stop_wsgate
