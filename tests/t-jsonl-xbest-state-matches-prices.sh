#!/bin/sh
# t-jsonl-xbest-state-matches-prices: an xbest's "state" is what its
# prices make it (tickpipe-json(5)): "crossed" when the best bid is above
# the best ask, "locked" when equal, "normal" when below or when a side
# is null.  `collector jsonl` rejects a line whose state its prices
# contradict (compared by value: "100.0" locks "100"), rather than
# writing it; shmreader skips such a record forged into a ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/jsonl/derived.sh"
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

jsonl_rejected xbest "1 2 3 4 5" 6 7 8 9

# the records of lines 1 and 3 forged into a ring as normal and normal
# (the state byte, 42 into the payload): the second is skipped
forged_replayed 'data[64 + 2 * 256 + 64 + 42] = 0	# the third record, crossed: normal'
grep -qF "shmreader: seq 3: xbest record with bad fields: skipped" "$T/err" ||
    fail "the forged record not skipped: $(cat "$T/err")"
assert_eq "xbest lines printed" 4 "$(wc -l <"$T/raw.out" | tr -d ' ')"
exit 0
