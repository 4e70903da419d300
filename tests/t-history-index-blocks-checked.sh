#!/bin/sh
# t-history-index-blocks-checked: a history file's index sidecar that
# describes the file's size with a right CRC but does not list its blocks
# one after another to the end, one left out or one listed twice, is not
# used: the block headers are scanned (recorder(1), FILE FORMAT), and
# `recorder cat` and `collector replay` read every record once, exit 0.
# Such an index was trusted: the block it left out was skipped, or the
# one it listed twice read twice, with nothing said and exit status 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

hour_trades 1 6 >"$T/lines"
record_lines 6 --block 1
f=$(ls "$H"/*/*.tph)
assert_eq "blocks in the index" 6 "$($CAP blocks "$f.idx" | wc -l | tr -d ' ')"
cp "$f.idx" "$T/good.idx"

# reads LIE: cat and replay read each of the 6 records once, exit 0
reads() {
	"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err" ||
	    fail "$1: cat exit status $?: $(cat "$T/err")"
	assert_eq "$1: cat: seqs" "1 6 6" "$($CAP seqs "$T/got.cap")"
	"$BIN/collector" --ring "$RING.r" replay --speed max "$H" \
	    2>"$T/err" || fail "$1: replay exit status $?: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.r" --no-follow >"$T/rep"
	"$BIN/shmreader" --ring "$RING.r" --unlink
	assert_eq "$1: replayed" 6 "$(wc -l <"$T/rep" | tr -d ' ')"
}

reads "the index as written"
$CAP idxlie "$f.idx" 2 drop
reads "block 3 left out of the index"
cp "$T/good.idx" "$f.idx"
$CAP idxlie "$f.idx" 2 twice
reads "block 3 listed twice in the index"
exit 0
