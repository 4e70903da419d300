#!/bin/sh
# A late joiner of a book channel gets the snapshot, then the deltas of
# C.deltas, a string of lines each followed by a newline (tickpipe(7)),
# with and without max_hz.  Where C.deltas holds a list instead (left by
# an older redispub: WRONGTYPE), the keys are not used: the client gets
# nothing of them and waits for the next live snapshot.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

A=md.sim.S00-USD.book B=md.sim.S01-USD.book
# line TYPE SYMBOL SEQ: a book line
line() {
	printf '{"type":"%s","venue":"sim","symbol":"%s","seq":%d,"vseq":%d,"ts":%d,"recv":%d,"bids":[["100.%d","1"]],"asks":[["101.%d","1"]]}' \
	    "$1" "$2" "$3" "$3" "$3" "$3" "$3" "$3"
}
start_redis
start_wsgate
rcli set "$A.snapshot" "$(line book_snapshot S00-USD 10)" >/dev/null
rcli append "$A.deltas" "$(line book_delta S00-USD 11)
$(line book_delta S00-USD 12)
" >/dev/null
rcli set "$B.snapshot" "$(line book_snapshot S01-USD 10)" >/dev/null
rcli rpush "$B.deltas" "$(line book_delta S01-USD 11)" >/dev/null

cfl_rec string --channels "$A"
cfl_rec string_hz --channels "$A" --max-hz 10
cfl_rec list --channels "$B"
cfl_rec list_hz --channels "$B" --max-hz 10
wait_for 20 test -e "$T/string.ready" -a -e "$T/string_hz.ready" \
    -a -e "$T/list.ready" -a -e "$T/list_hz.ready" || fail "clients not subscribed"
sleep 1
rcli publish "$A" "$(line book_delta S00-USD 13)" >/dev/null
rcli publish "$B" "$(line book_delta S01-USD 13)" >/dev/null
rcli publish "$B" "$(line book_snapshot S01-USD 20)" >/dev/null
rcli publish "$B" "$(line book_delta S01-USD 21)" >/dev/null
sleep 1
touch "$T/stop"
for c in string string_hz list list_hz; do
	eval "wait \$pid_$c" || fail "client $c: $(cat "$T/$c.err")"
done
assert_eq "C.deltas a string" "10 11 12 13" "$(cfl seqs "$T/string")"
# conflated: the keys' book as one snapshot at the last delta's seq
assert_eq "C.deltas a string, max_hz 10" "12 13" "$(cfl seqs "$T/string_hz")"
grep -q '100\.11' "$T/string_hz" || fail "max_hz 10: delta 11 not in the book: $(cat "$T/string_hz")"
assert_eq "C.deltas a list" "20 21" "$(cfl seqs "$T/list")"
got=$(cfl seqs "$T/list_hz")
case $got in
"20 21" | "21" | "20") ;;
*) fail "C.deltas a list, max_hz 10: expected only from the live snapshot 20, found '$got'" ;;
esac
stop_wsgate
