#!/bin/sh
# A message whose payload is not UTF-8 (published by hand: redispub never
# does) is dropped for every client, exact, pattern and conflated, none
# of them failing its connection (1007, a text frame must be UTF-8); they
# get the messages before and after it, in order.  It is counted
# (wsgate_not_utf8_total) and logged with its channel.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
C=md.sim.X-Y.trade

# sub NAME CHANNELS: a client in the background getting 2 messages
sub() {
	wsc_bg sub --url "$WS_URL" --channels "$2" --count 2 --timeout 20 \
	    --ready "$T/$1.ready" >"$T/$1.out" 2>"$T/$1.err" &
	eval "pid_$1=\$!"
	track $!
	wait_for 20 test -e "$T/$1.ready" || fail "client $1 not subscribed"
}
sub exact "$C"
sub pat 'md.sim.*.trade'
cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 10 --secs 4 \
    --ready "$T/cfl.ready" --out "$T/cfl.out" 2>"$T/cfl.err" &
pid_cfl=$!
track $pid_cfl
wait_for 20 test -e "$T/cfl.ready" || fail "conflated client not subscribed"

rcli publish "$C" '{"type":"trade","seq":1}' >/dev/null
printf '{"tid":"\377\342\202"}' | rcli -x publish "$C" >/dev/null
rcli publish "$C" '{"type":"trade","seq":3}' >/dev/null

want='{"type":"trade","seq":1}
{"type":"trade","seq":3}'
for c in exact pat; do
	# shellcheck disable=SC2154
	eval "wait_pid 20 \$pid_$c 'client $c'" ||
	    fail "client $c: $(tail -n 1 "$T/$c.err")"
	assert_eq "client $c got" "$want" "$(sed 1d "$T/$c.out")"
done
wait_pid 20 "$pid_cfl" "conflated client" ||
    fail "conflated client: $(cat "$T/cfl.err")"
grep -q '"closed"' "$T/cfl.out" &&
    fail "conflated client closed: $(grep '"closed"' "$T/cfl.out")"
got=$(/usr/bin/python3 -c '
import json, sys
seqs = []
for line in open(sys.argv[1]):
    m = json.loads(json.loads(line)["m"])
    seqs += [t["seq"] for t in m.get("trades", [])]
print(seqs)' "$T/cfl.out") || fail "conflated client output: $(cat "$T/cfl.out")"
assert_eq "conflated client's trades" "[1, 3]" "$got"

assert_eq "wsgate_not_utf8_total" 1 "$(metric wsgate_not_utf8_total)"
assert_eq "wsgate_messages_in_total" 3 "$(metric wsgate_messages_in_total)"
grep -q "wsgate: redis: $C: a message of 13 bytes not UTF-8, dropped" \
    "$T/wsgate.log" || fail "not logged: $(cat "$T/wsgate.log")"
stop_wsgate
