#!/bin/sh
# t-collector-replay-book-top-whole: a book_top message (deriver(1)),
# which spans records from START to LAST as a book message does
# (tickpipe-ring(5)), is replayed whole or not at all: the rest of one
# whose START the capture lacks is not replayed and counts as one
# incomplete message, and one the capture ends inside is dropped and
# said, "book message at seq N: no LAST at the end of the capture:
# dropped", as for a book message (collector(1)).  Each book_top record
# went into the ring as a message of its own: the lone tail and the lone
# START, which the ring's readers drop as unfinished, said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
top() {
	printf '{"type":"book_top","venue":"sim","symbol":"BTC-USD","src_seq":%s,"ts":%s,"recv":%s,"depth":10,"interval_ms":100,"bids":[["100","1"],["99","1"],["98","1"],["97","1"],["96","1"],["95","1"],["94","1"],["93","1"]],"asks":[["101","1"],["102","1"],["103","1"],["104","1"]]}\n' \
	    "$1" "$2" "$2"
}
# seq 1..2 a book_top of 12 levels, 3 a trade, 4..5 another book_top
{
	top 1 "$ts"
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"100","qty":"1","side":"buy","tid":"a"}\n' \
	    $((ts + 1)) $((ts + 1))
	top 2 $((ts + 2))
} >"$T/lines"
"$BIN/collector" --ring "$RING" jsonl --strict <"$T/lines" 2>"$T/err" ||
    fail "collector jsonl: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/all.raw" ||
    fail "shmreader --format raw"
assert_eq "capture size" $((64 + 5 * 256)) "$(wc -c <"$T/all.raw" | tr -d ' ')"

# the whole capture: as it was, but for the ring seq
"$BIN/collector" --ring "$R" replay --speed max "$T/all.raw" 2>"$T/err"
assert_eq "whole: exit status" 0 "$?"
assert_eq "whole: stderr" "" "$(cat "$T/err")"
"$BIN/shmreader" -v --ring "$RING" --no-follow >"$T/want" || fail "shmreader"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
cmp "$T/want" "$T/got" || fail "whole: replay differs: $(diff "$T/want" "$T/got" | head -n 4 | cut -c 1-200)"
"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"

# records 2 (the first message's tail), 3 (the trade), 4 (the second's
# START)
{
	head -c 64 "$T/all.raw"
	tail -c +$((64 + 256 + 1)) "$T/all.raw" | head -c $((3 * 256))
} >"$T/cut.raw"
assert_eq "cut capture size" $((64 + 3 * 256)) "$(wc -c <"$T/cut.raw" | tr -d ' ')"
"$BIN/collector" --ring "$R" replay --speed max "$T/cut.raw" 2>"$T/err"
assert_eq "cut: exit status" 0 "$?"
assert_eq "cut: stderr" \
    "collector: $T/cut.raw: book message at seq 4: no LAST at the end of the capture: dropped
collector: $T/cut.raw: 2 incomplete book messages skipped" "$(cat "$T/err")"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
! grep -q 'book' "$T/got" "$T/rerr" ||
    fail "cut: book_top records went into the ring: $(grep 'book' "$T/got" "$T/rerr" | cut -c 1-200)"
assert_eq "cut: messages in the ring" 1 "$(wc -l <"$T/got" | tr -d ' ')"
grep -q '"type":"trade"' "$T/got" || fail "cut: the trade not replayed: $(cat "$T/got")"
exit 0
