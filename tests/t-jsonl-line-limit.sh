#!/bin/sh
# t-jsonl-line-limit: no book message prints as a line longer than the
# 1048576 bytes collector jsonl reads (tickpipe-json(5)).  A book of 10240
# levels, the most a message holds, written with the largest mantissas
# and exponents (each side best first, each price once, as a book is)
# is 0.4 MB as input but would print as 1.3 MB: collector
# jsonl rejects it, saying how long it would print; the same message put
# in a ring as raw records (collector replay) is skipped by shmreader,
# saying why.  An ordinary book of 10240 levels goes through, and its
# line reads back.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

# book_line FORMAT: a book_snapshot of 5120 bids and 5120 asks, level i
# of a side FORMAT % (its price index, its price index): the bids' from
# 15119 down, the asks' from 15120 up
book_line() {
	/usr/bin/python3 -c '
import sys
f = sys.argv[1]
bids = ",".join("[\"%s\",\"%s\"]" % (f % (15119 - i), f % (15119 - i))
                for i in range(5120))
asks = ",".join("[\"%s\",\"%s\"]" % (f % (15120 + i), f % (15120 + i))
                for i in range(5120))
print("{\"type\":\"book_snapshot\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
      "\"seq\":1,\"vseq\":1,\"ts\":1,\"recv\":1,\"bids\":[%s],\"asks\":[%s]}"
      % (bids, asks))' "$1"
}

book_line 92233720368547%05de60 >"$T/long.jsonl"
book_line 6%04d.01 >"$T/ok.jsonl"
"$BIN/collector" --ring "$RING" jsonl --strict "$T/long.jsonl" 2>"$T/err"
assert_eq "collector jsonl --strict on the long book" 65 "$?"
grep -q "long.jsonl:1: a book message that prints as a line of [0-9]* bytes, longer than 1048576" "$T/err" ||
    fail "no reason given: $(cat "$T/err")"
"$BIN/collector" --ring "$RING" jsonl "$T/ok.jsonl" 2>"$T/err" ||
    fail "collector jsonl on an ordinary book of 10240 levels: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING" --no-follow --type book >"$T/ok.out" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
assert_eq "book lines printed" 1 "$(wc -l <"$T/ok.out")"
"$BIN/collector" --ring "$RING.back" jsonl --strict "$T/ok.out" 2>"$T/err" ||
    fail "the ordinary book's line does not read back: $(cat "$T/err")"

# the long one as raw records: the ordinary one's records, each level
# made 19 digits and e60 (price and qty), its order kept: level g of the
# message 2^63 - 1 - 10240 - g if a bid, 2^63 - 1 - 10240 + g if an ask
"$BIN/shmreader" --ring "$RING" --no-follow --type book --format raw \
    >"$T/ok.cap" 2>"$T/err" || fail "shmreader --format raw: $(cat "$T/err")"
/usr/bin/python3 - "$T/ok.cap" "$T/long.cap" <<'PY' || fail "making the raw capture"
import struct, sys
data = open(sys.argv[1], "rb").read()
head, body = data[:64], bytearray(data[64:])
assert len(body) == 1024 * 256, len(body)
for r in range(1024):
    o = r * 256
    for k in range(10):
        g = r * 10 + k
        p = 2**63 - 1 - 10240 + (g if g >= 5120 else -g)
        struct.pack_into("<q", body, o + 64 + 8 * k, p)
        struct.pack_into("<q", body, o + 144 + 8 * k, 2**63 - 1)
        struct.pack_into("<b", body, o + 224 + k, 60)
        struct.pack_into("<b", body, o + 234 + k, 60)
open(sys.argv[2], "wb").write(head + body)
PY
"$BIN/collector" --ring "$RING.raw" replay --speed max "$T/long.cap" \
    2>"$T/err" || fail "collector replay: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.raw" --no-follow >"$T/raw.out" 2>"$T/err" ||
    fail "shmreader on the long book: exit $?: $(cat "$T/err")"
grep -q "a book message that prints as a line of [0-9]* bytes, longer than 1048576" "$T/err" ||
    fail "shmreader did not say why it skipped the long book: $(head -c 300 "$T/err")"
grep -q '"type":"book' "$T/raw.out" && fail "shmreader printed the long book"
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/raw.out")
[ "$longest" -le 1048576 ] || fail "shmreader printed a line of $longest bytes"
exit 0
