#!/bin/sh
# t-jsonl-bar-length-is-interval: a bar's "interval" names its length
# (tickpipe-json(5)): "end" is "start" plus the interval.  `collector
# jsonl` rejects a bar whose start and end are further apart or closer
# than its interval, rather than writing it; shmreader skips such a
# record forged into a ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
# bar SEQ INTERVAL START END: an empty bar line
bar() {
	printf '{"type":"bar","venue":"sim","symbol":"BTC-USD","seq":%s,"src_seq":%s,"ts":9000000000,"recv":9000000001,"interval":"%s","start":%s,"end":%s,"trades":0,"open":null,"high":null,"low":null,"close":null,"volume":"0","buy_volume":"0","sell_volume":"0","vwap":null}\n' \
	    "$1" "$1" "$2" "$3" "$4"
}
{
	bar 1 1s 1000000000 2000000000		# ok
	bar 2 250ms 1750000000 2000000000	# ok
	bar 3 1m 0 60000000000			# ok
	bar 4 1s 1000000000 5000000000		# 4 s long
	bar 5 1m 0 1				# 1 ns long
	bar 6 1s 2000000000 2000000000		# empty
} >"$IN"

"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
assert_eq "collector jsonl exit status" 0 "$?"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
    fail "shmreader: $(cat "$T/rerr")"
assert_eq "bar lines written, by src_seq" "1 2 3" \
    "$(sed -n 's/.*"src_seq":\([0-9]*\),.*/\1/p' "$T/out" | tr '\n' ' ' |
    sed 's/ $//')"
for n in 4 5 6; do
	grep -qF "collector: $IN:$n: seq 0: bar record with bad fields: skipped" \
	    "$T/err" || fail "line $n not rejected so: $(grep -F "$IN:$n:" "$T/err")"
done

# the second record forged into a ring with its end 1 ns later (the
# 64-bit end, 8 into the payload): skipped
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ok.cap" \
    2>"$T/err" || fail "shmreader --format raw: $(cat "$T/err")"
/usr/bin/python3 - "$T/ok.cap" "$T/bad.cap" <<'PY' || fail "forging the capture"
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
o = 64 + 256 + 64 + 8
struct.pack_into("<q", data, o, struct.unpack_from("<q", data, o)[0] + 1)
open(sys.argv[2], "wb").write(data)
PY
"$BIN/collector" --ring "$RING.raw" replay --speed max "$T/bad.cap" \
    2>"$T/err" || fail "collector replay: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.raw" --no-follow >"$T/raw.out" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
grep -qF "shmreader: seq 2: bar record with bad fields: skipped" "$T/err" ||
    fail "the forged record not skipped: $(cat "$T/err")"
assert_eq "bar lines printed" 2 "$(wc -l <"$T/raw.out" | tr -d ' ')"
exit 0
