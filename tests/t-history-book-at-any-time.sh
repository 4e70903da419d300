#!/bin/sh
# t-history-book-at-any-time: the books a reader rebuilds from `collector
# replay DIR --to T` of a recorded sim run equal the books a live reader
# (shmreader on the same ring while it was written) had at T, for times
# inside blocks, on block boundaries and after the end.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
BOOK="/usr/bin/python3 $TESTS/history/book.py"
LIVE=$RING.live
H=$T/hist

"$BIN/recorder" --ring "$LIVE" --flush 50 --block 700 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
"$BIN/shmreader" --ring "$LIVE" >"$T/live.jsonl" 2>"$T/sr.err" &
SPID=$!
track $SPID
sleep 0.3
"$BIN/collector" --ring "$LIVE" --capacity 65536 sim --seed 11 \
    --count 20000 --rate 20000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
recs=$("$BIN/shmreader" --ring "$LIVE" --stat | sed -n 's/^seq: //p')
wait_for 20 recorded_up_to "$H" "$recs" || fail "recorder did not reach seq $recs"
n=$("$BIN/shmreader" --ring "$LIVE" --no-follow | wc -l)
wait_for 10 sh -c "[ \$(wc -l <'$T/live.jsonl') -ge $n ]" ||
    fail "the live reader has $(wc -l <"$T/live.jsonl") of $n messages"
kill -TERM $RPID $SPID
wait $RPID
assert_eq "recorder exit status" 0 "$?"

# times: the first block boundaries, and points through the run
$CAP tphblocks "$H"/*/*.tph >"$T/blocks"
[ "$(wc -l <"$T/blocks")" -ge 10 ] || fail "only $(wc -l <"$T/blocks") blocks"
first=$(sed -n 1p "$T/blocks" | cut -d ' ' -f 4)
last=$(tail -n 1 "$T/blocks" | cut -d ' ' -f 5)
times="$(sed -n '2p;5p' "$T/blocks" | cut -d ' ' -f 4)"
for k in 1 3 5 7 9; do
	times="$times $((first + (last - first) / 10 * k + 12345))"
done
times="$times $((last + 1))"
i=0
for t in $times; do
	i=$((i + 1))
	$BOOK "$t" <"$T/live.jsonl" >"$T/want$i" || fail "book.py of the live capture"
	[ -s "$T/want$i" ] || fail "no book at $t"
	"$BIN/collector" --ring "$RING.r$i" replay --speed max --to "$t" "$H" \
	    2>"$T/err" || fail "collector replay --to $t: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.r$i" --no-follow >"$T/rep$i.jsonl" ||
	    fail "shmreader of replay $i"
	"$BIN/shmreader" --ring "$RING.r$i" --unlink
	$BOOK "$t" <"$T/rep$i.jsonl" >"$T/got$i" || fail "book.py of replay $i"
	cmp "$T/want$i" "$T/got$i" >/dev/null ||
	    fail "at $t the replayed book differs from the live one: $(diff "$T/want$i" "$T/got$i" | head -n 5)"
done
note "$i times, books of $(wc -l <"$T/want$i") levels at the end"
exit 0
