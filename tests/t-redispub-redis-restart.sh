#!/bin/sh
# t-redispub-redis-restart: Redis killed (SIGKILL) with commands in flight
# and started again on the same port while redispub is fed 20000
# lines/s.  redispub keeps running, reconnects, and sends again what was
# not acknowledged: a subscriber, on the old Redis and then on the new one
# before redispub gets in, receives every line.  Its counters account for
# every line read (published + dropped + malformed = lines, nothing
# dropped), as does the final stats object in the new Redis.
#
# In flight: CLIENT PAUSE stops the old Redis between commands, so
# redispub's pipeline fills with lines Redis holds unanswered (and whose
# messages no subscriber got); then it is killed.  The new Redis lets in
# only the subscriber (an ACL user) until it has subscribed, then opens
# to the default user: redispub must then reconnect within the retry
# delay it logged last, plus a margin for a loaded machine.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=100000		# 5 s at 20000/s
MARGIN_MS=2000
SUBPW=sub-$$
ACL_SUB="--user sub on >$SUBPW ~* &* +@all"
echo "sub $SUBPW" >"$T/auth"
# shellcheck disable=SC2086 # ACL_SUB: words
start_redis $ACL_SUB

subcli() { REDISCLI_AUTH=$SUBPW redis-cli --user sub -p "$REDIS_PORT" "$@"; }
# redispub_connected: a client of the default user is connected
redispub_connected() {
	subcli client list | grep -v 'cmd=client' | grep -q ' user=default '
}
subscribed() { [ "$(subcli pubsub numpat)" -ge 1 ]; }

[ -x "$BIN/tests/chaos-sub" ] || fail "$BIN/tests/chaos-sub not built"
"$BIN/tests/chaos-sub" redis "$REDIS_PORT" "$T/auth" 'md.*' "$T/sub.log" \
    2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed || fail "subscriber did not subscribe: $(cat "$T/sub.err")"
mkfifo "$T/fifo"
"$GEN" --count "$N" --symbols 4 --rate 20000 >"$T/fifo" &
track $!
"$RP" -u "$REDIS_URL" <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
wait_for 10 redispub_connected || fail "redispub did not connect"
sleep 1.5
subcli client pause 10000 >/dev/null || fail "CLIENT PAUSE refused"
sleep 0.6		# 12000 lines: redispub's pipeline (8192) fills
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
sleep 0.3
kill -0 "$rp" 2>/dev/null || fail "redispub exited when Redis went away"
# shellcheck disable=SC2086 # ACL_SUB: words
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$T/redis" --daemonize no \
    --logfile "$T/redis/log.2" $ACL_SUB --user default off &
REDIS_PID=$!
track $REDIS_PID
wait_for 10 subcli ping || fail "redis did not restart"
wait_for 10 subscribed || fail "subscriber did not subscribe again: $(cat "$T/sub.err")"
redispub_connected && fail "redispub got in while the default user was off"
subcli acl setuser default on nopass '~*' '&*' '+@all' >/dev/null
open=$(ms)
wait_for 15 redispub_connected || fail "redispub did not reconnect within 15 s"
took=$(( $(ms) - open ))
wait "$rp"
rc=$?
cat "$T/err" >&2
assert_eq "redispub exit status" 0 "$rc"
delay=$(sed -n '/reconnected/q; s/.*retrying in \([0-9]*\) ms.*/\1/p' "$T/err" | tail -n 1)
note "reconnected ${took} ms after Redis let it in; the retry delay it logged last: ${delay} ms"
[ -n "$delay" ] || fail "redispub logged no retry delay"
[ "$took" -le $((delay + MARGIN_MS)) ] ||
    fail "reconnect took ${took} ms, more than the retry delay ${delay} ms + ${MARGIN_MS} ms"
grep -q "reconnected; resending [1-9][0-9]* messages" "$T/err" ||
    fail "nothing was in flight when Redis died: $(grep reconnected "$T/err")"

# the subscriber's stream: every seq, from the old Redis or the new one
kill -TERM "$sub"		# it reads what Redis sent, then exits
wait "$sub"
awk -v n="$N" '
$1 == "M" { if (!($3 in got)) distinct++; got[$3] = 1; all++ }
$1 == "D" { blind++ }
END {
	missing = 0
	for (s = 1; s <= n; s++) if (!(s in got)) {
		if (missing < 5) first = first " " s
		missing++
	}
	printf "%d messages, %d seqs, %d duplicates, %d missing%s; %d disconnects\n",
	    all, distinct, all - distinct, missing, first, blind
	exit missing != 0
}' "$T/sub.log" >"$T/stream" || fail "subscriber: $(cat "$T/stream")"
note "subscriber: $(cat "$T/stream")"

lines=$(counter lines "$T/err")
pub=$(counter published "$T/err")
drop=$(counter dropped "$T/err")
bad=$(counter malformed "$T/err")
assert_eq "lines read" "$N" "$lines"
assert_eq "published + dropped + malformed" "$lines" "$(( pub + drop + bad ))"
assert_eq "dropped" 0 "$drop"
assert_eq "reconnects" 1 "$(counter reconnects "$T/err")"
subcli get md.tickpipe.stats | grep -q "\"lines\":$N,\"published\":$N,\"malformed\":0,\"dropped\":0,\"buffered\":0,\"reconnects\":1," ||
    fail "stats in the new Redis: $(subcli get md.tickpipe.stats)"
