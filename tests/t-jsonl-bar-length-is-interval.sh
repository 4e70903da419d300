#!/bin/sh
# t-jsonl-bar-length-is-interval: a bar's "interval" names its length
# (tickpipe-json(5)): "end" is "start" plus the interval.  `collector
# jsonl` rejects a bar whose start and end are further apart or closer
# than its interval, rather than writing it; shmreader skips such a
# record forged into a ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/jsonl/derived.sh"
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

jsonl_rejected bar "1 2 3" 4 5 6

# the second record forged into a ring with its end 1 ns later (the
# 64-bit end, 8 into the payload): skipped
forged_replayed 'o = 64 + 256 + 64 + 8
struct.pack_into("<q", data, o, struct.unpack_from("<q", data, o)[0] + 1)'
grep -qF "shmreader: seq 2: bar record with bad fields: skipped" "$T/err" ||
    fail "the forged record not skipped: $(cat "$T/err")"
assert_eq "bar lines printed" 2 "$(wc -l <"$T/raw.out" | tr -d ' ')"
exit 0
