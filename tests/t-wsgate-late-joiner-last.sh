#!/bin/sh
# A late joiner of a latest-value channel gets its last line first, from
# the key C.last that redispub keeps (tickpipe(7)), then the live lines
# whose seq is greater; one joining a channel with no C.last gets the
# live lines.  Alike with and without max_hz.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

C=md.sim.BTC-USD.quote D=md.all.BTC-USD.xbest
start_redis
start_wsgate
cfl pub "$REDIS_PORT" "$C" --first 100 --count 1 --set-last >/dev/null
cfl_rec plain --channels "$C"
cfl_rec conflated --channels "$C" --max-hz 10
cfl_rec nokey --channels "$D"
wait_for 20 test -e "$T/plain.ready" -a -e "$T/conflated.ready" \
    -a -e "$T/nokey.ready" || fail "clients not subscribed"
wait_for 10 sh -c "grep -q 'seq.*100' '$T/plain' && grep -q 'seq.*100' '$T/conflated'" ||
	fail "C.last not sent: $(cat "$T/plain")"
# not greater than C.last's seq: dropped
cfl pub "$REDIS_PORT" "$C" --first 99 --count 2 >/dev/null
cfl pub "$REDIS_PORT" "$C" --first 101 --count 2 >/dev/null
cfl pub "$REDIS_PORT" "$D" --first 1 --count 2 >/dev/null
sleep 1
touch "$T/stop"
for c in plain conflated nokey; do
	eval "wait \$pid_$c" || fail "client $c: $(cat "$T/$c.err")"
done
assert_eq "without max_hz" "100 101 102" "$(cfl seqs "$T/plain")"
got=$(cfl seqs "$T/conflated")
case $got in
"100 101 102" | "100 102") ;;
*) fail "with max_hz 10: expected 100 [101] 102, found '$got'" ;;
esac
assert_eq "no C.last" "1 2" "$(cfl seqs "$T/nokey")"
stop_wsgate
