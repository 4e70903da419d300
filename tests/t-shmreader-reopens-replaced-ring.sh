#!/bin/sh
# t-shmreader-reopens-replaced-ring: a following shmreader notices when
# its ring is removed and created anew (sequence restarting at 1), says
# so on stderr, reopens it by name and goes on reading the new one,
# marking where the sequence starts again with a gap line of 0 records
# and "new_ring":true (tickpipe-json(5)); a writer restart on the same
# ring, in contrast, needs no reopen and no line.  With -v the new ring
# is said as such, not as a lap ("lapped: lost 0 records", before).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
H='"venue":"sim","symbol":"BTC-USD","ts":1,"recv":2,"price":"1","qty":"1","side":"buy"'
put() {	# put TID...: one trade per tid into the ring
	for t in "$@"; do printf '{"type":"trade",%s,"tid":"%s"}\n' "$H" "$t"; done |
	    "$BIN/collector" --ring "$RING" --capacity 1024 jsonl 2>"$T/cerr" ||
	    fail "collector: $(cat "$T/cerr")"
}
tids() { sed 's/.*"tid":"\([^"]*\)".*/\1/' "$T/out" | tr '\n' ' ' | sed 's/ $//'; }

put a b
"$BIN/shmreader" -v --ring "$RING" >"$T/out" 2>"$T/err" &
sp=$!
track $sp
wait_for 30 grep -q '"tid":"b"' "$T/out" || fail "first ring not read"
put c					# same ring, writer restarted
wait_for 30 grep -q '"tid":"c"' "$T/out" || fail "restarted writer not read"
"$BIN/shmreader" --ring "$RING" --unlink || fail "--unlink"
put d e					# a new ring, sequences from 1
wait_for 30 grep -q '"tid":"e"' "$T/out" ||
    fail "the new ring was not read: $(tids); $(cat "$T/err")"
assert_eq "messages" 'a b c {"type":"gap","from":4,"lost":0,"new_ring":true} d e' "$(tids)"
assert_eq "new ring restarts at seq 1" 1 \
    "$(grep '"tid":"d"' "$T/out" | sed 's/.*"seq":\([0-9]*\),.*/\1/')"
grep -q "ring $RING was removed or replaced; reopening" "$T/err" ||
    fail "no reopen message: $(cat "$T/err")"
wait_for 5 grep -q "^shmreader: ring created anew: lost 0 records from seq 4\$" "$T/err" ||
    fail "-v: the new ring not said as such: $(cat "$T/err")"
! grep -q lapped "$T/err" || fail "-v: said as a lap: $(cat "$T/err")"
kill -TERM $sp
wait $sp
assert_eq "exit status after SIGTERM" 0 "$?"
exit 0
