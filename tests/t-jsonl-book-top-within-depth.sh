#!/bin/sh
# t-jsonl-book-top-within-depth: a book_top of "depth" N holds at most N
# levels a side (tickpipe-json(5)).  `collector jsonl` rejects one with
# more bids or more asks than its depth, rather than writing it;
# shmreader skips such a message forged into a ring, of one record or of
# several.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/jsonl/derived.sh"
IN=$T/in.jsonl
# top SEQ DEPTH NBIDS NASKS: a book_top line
top() {
	/usr/bin/python3 -c '
import sys
seq, depth, nb, na = (int(a) for a in sys.argv[1:])
bids = ",".join("[\"%d\",\"1\"]" % (1000 - i) for i in range(nb))
asks = ",".join("[\"%d\",\"1\"]" % (1001 + i) for i in range(na))
print("{\"type\":\"book_top\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
      "\"seq\":%d,\"src_seq\":%d,\"ts\":1,\"recv\":2,\"depth\":%d,"
      "\"interval_ms\":100,\"bids\":[%s],\"asks\":[%s]}"
      % (seq, seq, depth, bids, asks))' "$@"
}
{
	top 1 5 5 5		# ok
	top 2 20 20 0		# ok, two records
	top 3 5 0 0		# ok
	top 4 5 6 0		# 6 bids
	top 5 5 0 6		# 6 asks
	top 6 12 13 12		# 13 bids, three records
} >"$IN"

jsonl_rejected book_top "1 2 3" 4 5 6

# the messages forged into a ring with depth 4 (the 16-bit depth, 182
# into the payload of each record): the first (5 a side, one record) and
# the second (20 bids, two records) are skipped, the third printed
forged_replayed 'assert len(data) == 64 + 4 * 256, len(data)
for r in range(4):
    struct.pack_into("<H", data, 64 + r * 256 + 64 + 182, 4)'
grep -qF "shmreader: seq 1: book_top record with bad fields: skipped" \
    "$T/err" || fail "the first forged message not skipped: $(cat "$T/err")"
grep -qF "shmreader: seq 2: book_top record with bad fields: skipped" \
    "$T/err" || fail "the second forged message not skipped: $(cat "$T/err")"
assert_eq "book_top lines printed" 1 "$(wc -l <"$T/raw.out" | tr -d ' ')"
grep -q '"depth":4,"interval_ms":100,"bids":\[\],"asks":\[\]}$' "$T/raw.out" ||
    fail "the empty top: $(cat "$T/raw.out")"
exit 0
