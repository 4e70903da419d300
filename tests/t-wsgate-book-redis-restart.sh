#!/bin/sh
# Books stay exact through Redis restarts, with the real redispub: Redis
# is killed twice while redispub publishes 4 books; redispub resends what
# Redis had not acknowledged, wsgate reconnects.  The second time wsgate
# is stopped until redispub has been publishing to the new Redis for half
# a second, so wsgate misses messages for sure.  A client on two book
# channels and one on md.* check every book message against the input:
# after each restart each book they had is declared invalid
# ({"type":"book_invalid"}), the next book message is a snapshot (from
# the rewritten keys or live), no delta is older than the one before it
# (redispub's resends are filtered) and none of the stream is missing
# between two of them; their final books are the input's.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

need_redispub

start_redis
start_wsgate
n=36000 rate=4000
"$GEN" --count "$n" --symbols 4 --snapshot-every 1000 >"$T/in"
# every book message: CHANNEL SEQ TYPE
book_seqs <"$T/in" >"$T/seqs"
until=$(book_last_seqs <"$T/in")
two=$(printf '%s\n' "$until" | tr , '\n' | grep -E 'S0[01]-USD' | paste -sd, -)

exact x md.sim.S00-USD.book,md.sim.S01-USD.book "$two"
exact p 'md.*' "$until"
wait_for 20 test -e "$T/x.ready" -a -e "$T/p.ready" ||
    fail "clients not subscribed"
paced "$rate" <"$T/in" | "$BIN/redispub" -u "$REDIS_URL" 2>"$T/redispub.err" &
feed=$!
track $feed
sleep 2
restart_redis 0.3
sleep 2.5
kill -STOP "$WS_PID"
restart_redis 0.3
sleep 0.5
kill -CONT "$WS_PID"
wait "$feed" || fail "redispub failed: $(tail -n 3 "$T/redispub.err")"
for c in x p; do
	eval "wait \$pid_$c" || fail "client $c: $(tail -n 3 "$T/$c.err")"
done
resent=$(grep -c 'resending' "$T/redispub.err")
note "redispub reconnects with resends: $resent; $(grep resending "$T/redispub.err" | sed "s/.*resending //" | paste -sd, -)"
note "x: $(grep invalid= "$T/x.out" | paste -sd' ' -)"
note "p: $(grep invalid= "$T/p.out" | paste -sd' ' -)"
for ch in $(printf '%s\n' "$until" | tr , '\n' | cut -d= -f1); do
	/usr/bin/python3 "$TESTS/redispub/book.py" book "$ch" <"$T/in" |
	    sed "s/^/$ch /" >>"$T/want"
done
grep -v invalid= "$T/p.out" | cmp -s - "$T/want" ||
    fail "md.* client's final books are not the input's"
grep -v invalid= "$T/x.out" | cmp -s - "$(grep -E 'S0[01]-USD' "$T/want" >"$T/want2"; echo "$T/want2")" ||
    fail "exact client's final books are not the input's"
# each book a client had when Redis went was declared invalid, twice
for c in x p; do
	grep invalid= "$T/$c.out" | grep -E 'S0[01]-USD' | while read -r ch inv rest; do
		[ "${inv#invalid=}" -ge 2 ] ||
		    fail "client $c: $ch declared invalid ${inv#invalid=} times, not after each restart ($rest)"
	done || exit 1
done
stop_wsgate
