#!/bin/sh
# t-recorder-book-top-one-block: a book_top message (deriver(1)), which
# spans records from START to LAST as a book message does
# (tickpipe-ring(5)), is not cut by a block's end, as a book message is
# not (recorder(1)): with --block 1 its two records are one block.  Its
# START was a block of its own, its LAST the next, which a rotation by
# size could put in another file.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
now=$(date +%s%N)
printf '{"type":"book_top","venue":"sim","symbol":"BTC-USD","src_seq":1,"ts":%s,"recv":%s,"depth":10,"interval_ms":100,"bids":[["100","1"],["99","1"],["98","1"],["97","1"],["96","1"],["95","1"],["94","1"],["93","1"]],"asks":[["101","1"],["102","1"],["103","1"],["104","1"]]}\n' \
    "$now" "$now" >"$T/lines"
printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"100","qty":"1","side":"buy","tid":"a"}\n' \
    "$now" "$now" >>"$T/lines"
record_lines 3 --block 1
for f in "$H"/*/*.tph; do
	$CAP tphblocks "$f"
done | cut -d ' ' -f 1-3 >"$T/blocks"
assert_eq "blocks: nrec first_seq last_seq" "2 1 2
1 3 3" "$(cat "$T/blocks")"
exit 0
