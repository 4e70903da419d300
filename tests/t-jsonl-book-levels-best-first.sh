#!/bin/sh
# t-jsonl-book-levels-best-first: each side of a book snapshot or
# book_top message is best first, each price once (tickpipe-json(5),
# tickpipe-ring(5)): bids falling, asks rising, by value.  `collector
# jsonl` rejects a line whose levels are not, naming the level, rather
# than write it into the ring; shmreader skips such a message forged
# into a ring, the levels out of order across its records too.  A
# delta's levels are changes, each to its own price, taken in any order
# (histories recorded by an older simulator hold such deltas).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/jsonl/derived.sh"
IN=$T/in.jsonl
H='"venue":"sim","symbol":"BTC-USD","vseq":1,"ts":1,"recv":2'
TOP='"type":"book_top","venue":"sim","symbol":"BTC-USD","src_seq":1,"ts":1,"recv":2,"depth":20,"interval_ms":100'
# levels FIRST STEP N: N levels ["FIRST + i * STEP","1"]
levels() {
	/usr/bin/python3 -c 'import sys
f, s, n = (int(a) for a in sys.argv[1:])
print(",".join("[\"%d\",\"1\"]" % (f + i * s) for i in range(n)))' "$@"
}
{
	echo "{\"type\":\"book_snapshot\",$H,\"bids\":[$(levels 100 -1 12)],\"asks\":[$(levels 200 1 3)]}"
	echo "{\"type\":\"book_snapshot\",$H,\"bids\":[[\"99\",\"1\"],[\"100\",\"1\"]],\"asks\":[]}"
	echo "{\"type\":\"book_delta\",$H,\"bids\":[],\"asks\":[[\"101\",\"1\"],[\"103\",\"0\"],[\"102\",\"1\"]]}"
	echo "{\"type\":\"book_delta\",$H,\"bids\":[[\"100.5\",\"1\"],[\"100.50\",\"0\"]],\"asks\":[]}"
	echo "{$TOP,\"bids\":[$(levels 100 -1 12)],\"asks\":[$(levels 200 1 5)]}"
	echo "{$TOP,\"bids\":[],\"asks\":[[\"201\",\"1\"],[\"201\",\"2\"]]}"
	echo "{\"type\":\"book_delta\",$H,\"bids\":[[\"100\",\"1\"]],\"asks\":[[\"99\",\"1\"]]}"
} >"$IN"
"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
assert_eq "collector jsonl exit status" 0 "$?"
# said LINE REASON: line LINE of $IN said rejected for REASON
said() {
	grep -qF "collector: $IN:$1: $2: skipped" "$T/err" ||
	    fail "line $1 not rejected so: $(grep -F "$IN:$1:" "$T/err")"
}
said 2 "bids[1] price not below bids[0]'s (best first, each price once)"
said 6 "asks[1] price not above asks[0]'s (best first, each price once)"
for ok in 1 3 4 5 7; do
	! grep -q "$IN:$ok:" "$T/err" || fail "valid line $ok rejected: $(cat "$T/err")"
done
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
    fail "shmreader: $(cat "$T/rerr")"
assert_eq "lines written" 5 "$(wc -l <"$T/out" | tr -d ' ')"

# forged into the ring (capture: a 64-byte header, then 256-byte
# records; a book payload at 64, prices at 64 + 8j): the snapshot (seq
# 1, 2) with its bids 9 and 10 swapped across its two records; the top
# (seq 5, 6) with its asks 0 and 1, levels 2 and 3 of its second record,
# the same price; the deltas (seq 3, 4 and 7) left as they are
forged_replayed 'assert len(data) == 64 + 7 * 256, len(data)
def price(rec, j):
    return 64 + rec * 256 + 64 + 8 * j
a, b = price(0, 9), price(1, 0)
data[a:a + 8], data[b:b + 8] = data[b:b + 8], data[a:a + 8]
a, b = price(5, 2), price(5, 3)
data[b:b + 8] = data[a:a + 8]'
grep -qF "shmreader: seq 2: level 0 bid price not below the one before it (best first, each price once): skipped" \
    "$T/err" || fail "the forged snapshot not skipped: $(cat "$T/err")"
grep -qF "shmreader: seq 6: level 3 ask price not above the one before it (best first, each price once): skipped" \
    "$T/err" || fail "the forged top not skipped: $(cat "$T/err")"
assert_eq "lines printed" 3 "$(wc -l <"$T/raw.out" | tr -d ' ')"
grep -q '^{"type":"book_delta",.*"bids":\[\["100","1"\]\],"asks":\[\["99","1"\]\]}$' \
    "$T/raw.out" || fail "the untouched delta: $(cat "$T/raw.out")"
exit 0
