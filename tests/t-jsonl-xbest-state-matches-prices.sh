#!/bin/sh
# t-jsonl-xbest-state-matches-prices: an xbest's "state" is what its
# prices make it (tickpipe-json(5)): "crossed" when the best bid is above
# the best ask, "locked" when equal, "normal" when below or when a side
# is null.  `collector jsonl` rejects a line whose state its prices
# contradict (compared by value: "100.0" locks "100"), rather than
# writing it; shmreader skips such a record forged into a ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
# xb SEQ BID ASK STATE: an xbest line of bid BID (sim) and ask ASK (sim2),
# either null
xb() {
	if [ "$2" = null ]; then b='"bid":null,"bid_qty":null,"bid_venue":null'
	else b="\"bid\":\"$2\",\"bid_qty\":\"1\",\"bid_venue\":\"sim\""; fi
	if [ "$3" = null ]; then a='"ask":null,"ask_qty":null,"ask_venue":null'
	else a="\"ask\":\"$3\",\"ask_qty\":\"1\",\"ask_venue\":\"sim2\""; fi
	printf '{"type":"xbest","venue":"all","symbol":"BTC-USD","seq":%s,"src_seq":%s,"ts":1,"recv":2,%s,%s,"state":"%s","venues":["sim","sim2"],"excluded":[]}\n' \
	    "$1" "$1" "$b" "$a" "$4"
}
{
	xb 1 100 101 normal		# ok
	xb 2 100 100.0 locked		# ok
	xb 3 101 100 crossed		# ok
	xb 4 100 null normal		# ok
	xb 5 null null normal		# ok
	xb 6 101 100 normal		# crossed, said normal
	xb 7 100 101 crossed		# normal, said crossed
	xb 8 100 100.00 normal		# locked, said normal
	xb 9 100 null locked		# one side: normal
} >"$IN"

"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
assert_eq "collector jsonl exit status" 0 "$?"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
    fail "shmreader: $(cat "$T/rerr")"
assert_eq "xbest lines written, by src_seq" "1 2 3 4 5" \
    "$(sed -n 's/.*"src_seq":\([0-9]*\),.*/\1/p' "$T/out" | tr '\n' ' ' |
    sed 's/ $//')"
for n in 6 7 8 9; do
	grep -qF "collector: $IN:$n: seq 0: xbest record with bad fields: skipped" \
	    "$T/err" || fail "line $n not rejected so: $(grep -F "$IN:$n:" "$T/err")"
done

# the records of lines 1 and 3 forged into a ring as normal and normal
# (the state byte, 42 into the payload): the second is skipped
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ok.cap" \
    2>"$T/err" || fail "shmreader --format raw: $(cat "$T/err")"
/usr/bin/python3 - "$T/ok.cap" "$T/bad.cap" <<'PY' || fail "forging the capture"
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[64 + 2 * 256 + 64 + 42] = 0	# the third record, crossed: normal
open(sys.argv[2], "wb").write(data)
PY
"$BIN/collector" --ring "$RING.raw" replay --speed max "$T/bad.cap" \
    2>"$T/err" || fail "collector replay: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.raw" --no-follow >"$T/raw.out" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
grep -qF "shmreader: seq 3: xbest record with bad fields: skipped" "$T/err" ||
    fail "the forged record not skipped: $(cat "$T/err")"
assert_eq "xbest lines printed" 4 "$(wc -l <"$T/raw.out" | tr -d ' ')"
exit 0
