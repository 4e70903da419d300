#!/bin/sh
# Conflation is done once per channel and rate, not once per client: two
# clients at the same max_hz on one book channel get the very same
# frames (from the first one both get), and the channel is framed once
# per tick: wsgate_conflated_frames_total counts the frames of one
# client (and a join frame), not of both.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

C=md.sim.BTC-USD.book
start_redis
start_wsgate
sim_pipeline 100000 --symbols BTC-USD
for c in a b; do
	cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 5 \
	    --ready "$T/$c.ready" --stop-file "$T/stop" --out "$T/$c" \
	    2>"$T/$c.err" &
	eval "pid_$c=\$!"
	track $!
done
wait_for 20 test -e "$T/a.ready" -a -e "$T/b.ready" ||
	fail "clients not subscribed"
sleep 4
kill "$SIM_PID"
# until the pipeline has delivered all it had and the clients have
# taken it: 2 s with no message in or out
n0=-1
while n1="$(metric wsgate_messages_in_total) $(cat "$T/a" "$T/b" | wc -l)"
    [ "$n1" != "$n0" ]; do
	n0=$n1
	sleep 2
done
frames=$(metric wsgate_conflated_frames_total)
touch "$T/stop"
for c in a b; do
	eval "wait \$pid_$c" || fail "client $c: $(cat "$T/$c.err")"
done
res=$(cfl same "$T/a" "$T/b" 2>&1) || fail "$res"
same=${res% *} got=${res#* }
note "$same identical frames; $frames framed, $got got by the first client"
# every frame made went to both, but for the join frame of one that
# came a tick late
if [ "$frames" -lt "$got" ] || [ "$frames" -gt $((got + 1)) ]; then
	fail "$frames frames made for $got sent to each client"
fi
stop_wsgate
