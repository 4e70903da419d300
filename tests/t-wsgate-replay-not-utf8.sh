#!/bin/sh
# A line read from a channel's keys for a late joiner or a conflator
# (C.last, C.snapshot, a line of C.deltas) whose bytes are not UTF-8 (set
# by hand: redispub never writes one) is left out, counted
# (wsgate_not_utf8_total) and logged with its key, as a message published
# so is dropped.  A C.last not UTF-8 was sent as a text frame: the client
# failed its connection (1007), at each try to subscribe; book lines were
# kept out, unsaid, by the JSON scanner.  The client gets the rest of the
# keys and the live stream, with and without max_hz: a C.last not UTF-8
# is as none, a delta not UTF-8 is left out, and a snapshot not UTF-8
# leaves the book to wait for its next live snapshot.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

Q=md.sim.Q-USD.quote A=md.sim.A-USD.book B=md.sim.B-USD.book
bad=$(printf '\377\342\202')
# line TYPE SYMBOL SEQ [TID]: a book line (TID: a field "tid" with it)
line() {
	printf '{"type":"%s","venue":"sim","symbol":"%s","seq":%d,"vseq":%d,"ts":%d,"recv":%d,%s"bids":[["100.%d","1"]],"asks":[["101.%d","1"]]}' \
	    "$1" "$2" "$3" "$3" "$3" "$3" "${4:+\"tid\":\"$4\",}" "$3" "$3"
}
# quote SEQ [TID]: a quote line of Q
quote() {
	printf '{"type":"quote","venue":"sim","symbol":"Q-USD","seq":%d,%s"bid":"100","bid_qty":"1","ask":"101","ask_qty":"1"}' \
	    "$1" "${2:+\"tid\":\"$2\",}"
}
start_redis
start_wsgate
quote 100 "$bad" | rcli -x set "$Q.last" >/dev/null
line book_snapshot A-USD 10 | rcli -x set "$A.snapshot" >/dev/null
{
	line book_delta A-USD 11
	echo
	line book_delta A-USD 12 "$bad"
	echo
	line book_delta A-USD 13
	echo
} | rcli -x set "$A.deltas" >/dev/null
line book_snapshot B-USD 10 "$bad" | rcli -x set "$B.snapshot" >/dev/null
{
	line book_delta B-USD 11
	echo
} | rcli -x set "$B.deltas" >/dev/null

# closed NAME...: fails if client NAME was closed: on a text frame not
# UTF-8 it fails the connection itself, sending 1007 (and records 1006:
# no close frame came back)
closed() {
	for _c; do
		! grep -q '"closed"' "$T/$_c" ||
		    fail "client $_c closed: $(grep '"closed"' "$T/$_c")"
	done
}
# the clients without max_hz first: their 3 lines are the first logged
cfl_rec q --channels "$Q"
cfl_rec a --channels "$A"
cfl_rec b --channels "$B"
wait_for 20 test -e "$T/q.ready" -a -e "$T/a.ready" -a -e "$T/b.ready" ||
    fail "clients not subscribed: $(cat "$T"/?.err)"
wait_for 10 metric_is wsgate_not_utf8_total 3 || {
	closed q a b
	fail "wsgate_not_utf8_total $(metric wsgate_not_utf8_total), not 3"
}
cfl_rec q_hz --channels "$Q" --max-hz 10
cfl_rec a_hz --channels "$A" --max-hz 10
cfl_rec b_hz --channels "$B" --max-hz 10
wait_for 20 test -e "$T/q_hz.ready" -a -e "$T/a_hz.ready" \
    -a -e "$T/b_hz.ready" || fail "clients at max_hz not subscribed"
wait_for 10 metric_is wsgate_not_utf8_total 6 || {
	closed q_hz a_hz b_hz
	fail "wsgate_not_utf8_total $(metric wsgate_not_utf8_total), not 6"
}
sleep 0.5
quote 101 | rcli -x publish "$Q" >/dev/null
line book_delta A-USD 14 | rcli -x publish "$A" >/dev/null
line book_delta B-USD 11 | rcli -x publish "$B" >/dev/null
line book_snapshot B-USD 20 | rcli -x publish "$B" >/dev/null
line book_delta B-USD 21 | rcli -x publish "$B" >/dev/null
sleep 1
touch "$T/stop"
for c in q a b q_hz a_hz b_hz; do
	eval "wait \$pid_$c" || fail "client $c: $(cat "$T/$c.err")"
	closed "$c"
done
assert_eq "C.last not UTF-8" "101" "$(cfl seqs "$T/q")"
assert_eq "C.last not UTF-8, max_hz 10" "101" "$(cfl seqs "$T/q_hz")"
assert_eq "a delta not UTF-8" "10 11 13 14" "$(cfl seqs "$T/a")"
# conflated: the keys' book as one snapshot at the last delta's seq
assert_eq "a delta not UTF-8, max_hz 10" "13 14" "$(cfl seqs "$T/a_hz")"
grep -q '100\.11' "$T/a_hz" || fail "max_hz 10: delta 11 not in the book"
! grep -q '100\.12' "$T/a_hz" || fail "max_hz 10: delta 12 in the book"
assert_eq "a snapshot not UTF-8" "20 21" "$(cfl seqs "$T/b")"
got=$(cfl seqs "$T/b_hz")
case $got in
"20 21" | "21" | "20") ;;
*) fail "a snapshot not UTF-8, max_hz 10: expected only from the live snapshot 20, found '$got'" ;;
esac
assert_eq "wsgate_not_utf8_total" 6 "$(metric wsgate_not_utf8_total)"
for k in "$Q.last: a line of $(quote 100 "$bad" | wc -c)" \
    "$A.deltas: a line of $(line book_delta A-USD 12 "$bad" | wc -c)" \
    "$B.snapshot: a line of $(line book_snapshot B-USD 10 "$bad" | wc -c)"; do
	grep -q "wsgate: redis: $k bytes not UTF-8, not replayed" \
	    "$T/wsgate.log" || fail "$k not logged: $(cat "$T/wsgate.log")"
done
stop_wsgate
