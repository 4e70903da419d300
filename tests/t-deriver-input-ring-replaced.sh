#!/bin/sh
# t-deriver-input-ring-replaced: when its input ring is removed and made
# anew, deriver(1) says so with a status resync of venue all, stamped,
# as every record it writes, with the times of the input record that
# caused it: the new ring's first (it was stamped ts 0, recv 0, and so
# was the cross-venue line after it).  Standard error says it as the
# status does (it said "input gap: 0 records lost from seq 2").
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

feed() {	# feed SEC: one sim BTC-USD snapshot at SEC s into ring A
	book_line book_snapshot "$(($1 * 1000))" '[["10","1"]]' '[["11","1"]]' \
	    >"$T/lines"
	feed_a
}

feed 100
"$BIN/deriver" --ring "$A" --out "$D" --stale 0 2>"$T/deriver.err" &
dpid=$!
track "$dpid"
wait_for 10 sh -c "'$BIN/shmreader' --ring '$D' --no-follow 2>/dev/null | grep -q '\"type\":\"quote\"'" ||
    fail "no first quote: $(cat "$T/deriver.err")"
"$BIN/shmreader" --ring "$A" --unlink || fail "could not remove ring A"
feed 200
wait_for 10 sh -c "'$BIN/shmreader' --ring '$D' --no-follow 2>/dev/null | grep -q 'input ring replaced'" ||
    fail "no status for the replaced ring: $(cat "$T/deriver.err")"
kill -TERM "$dpid"
wait_pid 5 "$dpid" deriver
grep -q '^deriver: input ring replaced: books invalid until their next snapshot$' \
    "$T/deriver.err" || fail "not said so: $(cat "$T/deriver.err")"
derived >"$T/d.jsonl"
sed -n '/input ring replaced/,$p' "$T/d.jsonl" >"$T/after"
[ -s "$T/after" ] || fail "nothing after the status"
grep -v '"ts":200000000000,"recv":200000000000,' "$T/after" |
    grep . >"$T/bad" && fail "stamped otherwise than the new ring's record: $(head -n 2 "$T/bad")"
exit 0
