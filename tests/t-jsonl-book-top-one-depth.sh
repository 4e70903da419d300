#!/bin/sh
# t-jsonl-book-top-one-depth: a book_top message has one depth and one
# interval, which each of its records carries (tickpipe-ring(5)).
# shmreader skips a message forged into a ring whose later record says
# another depth or interval_ms, naming the record, rather than print it
# with the first record's.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/jsonl/derived.sh"
IN=$T/in.jsonl
# top SEQ DEPTH NBIDS: a book_top line of NBIDS bids and one ask
top() {
	/usr/bin/python3 -c '
import sys
seq, depth, nb = (int(a) for a in sys.argv[1:])
bids = ",".join("[\"%d\",\"1\"]" % (1000 - i) for i in range(nb))
print("{\"type\":\"book_top\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
      "\"seq\":%d,\"src_seq\":%d,\"ts\":1,\"recv\":2,\"depth\":%d,"
      "\"interval_ms\":100,\"bids\":[%s],\"asks\":[[\"1001\",\"1\"]]}"
      % (seq, seq, depth, bids))' "$@"
}
{
	top 1 20 15		# seq 1 and 2
	top 3 20 15		# seq 3 and 4
	top 5 20 15		# seq 5 and 6
} >"$IN"
"$BIN/collector" --ring "$RING" jsonl --strict "$IN" 2>"$T/err" ||
    fail "collector jsonl: $(cat "$T/err")"

# seq 2 forged to depth 30 (182 into the payload), seq 4 to interval_ms
# 200 (184 into it); the third message is left as it was
forged_replayed 'assert len(data) == 64 + 6 * 256, len(data)
struct.pack_into("<H", data, 64 + 1 * 256 + 64 + 182, 30)
struct.pack_into("<I", data, 64 + 3 * 256 + 64 + 184, 200)'
grep -qF "shmreader: seq 2: book_top record of depth 30, interval_ms 100 inside a message of depth 20, interval_ms 100 from seq 1: skipped" \
    "$T/err" || fail "the depth 30 record not said: $(cat "$T/err")"
grep -qF "shmreader: seq 4: book_top record of depth 20, interval_ms 200 inside a message of depth 20, interval_ms 100 from seq 3: skipped" \
    "$T/err" || fail "the interval 200 record not said: $(cat "$T/err")"
assert_eq "book_top lines printed" 1 "$(wc -l <"$T/raw.out" | tr -d ' ')"
grep -q '"seq":5,"src_seq":5,.*"depth":20,"interval_ms":100,' "$T/raw.out" ||
    fail "the untouched message: $(cat "$T/raw.out")"
exit 0
