#!/bin/sh
# t-jsonl-bar-interval-any-unit: `collector jsonl` reads a bar's
# "interval" in any unit, leading zeros allowed, and shmreader prints it
# in its largest whole unit, as tickpipe-json(5) says: "1000ms" prints
# as "1s", "060s" as "1m", "1440m" as "1d"; the page names the first two.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
# bar SEQ INTERVAL START END: an empty bar line
bar() {
	printf '{"type":"bar","venue":"sim","symbol":"BTC-USD","seq":%s,"src_seq":%s,"ts":1,"recv":2,"interval":"%s","start":%s,"end":%s,"trades":0,"open":null,"high":null,"low":null,"close":null,"volume":"0","buy_volume":"0","sell_volume":"0","vwap":null}\n' \
	    "$1" "$1" "$2" "$3" "$4"
}
{
	bar 1 1000ms 1000000000 2000000000
	bar 2 060s 0 60000000000
	bar 3 1440m 0 86400000000000
	bar 4 250ms 0 250000000
} >"$IN"
"$BIN/collector" --ring "$RING" jsonl --strict "$IN" 2>"$T/err" ||
    fail "collector jsonl: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
assert_eq "intervals printed" "1s 1m 1d 250ms" \
    "$(sed -n 's/.*"interval":"\([^"]*\)".*/\1/p' "$T/out" | tr '\n' ' ' |
    sed 's/ $//')"
# the page says that the spellings are read, and how they print
PAGE=$TOP/man/tickpipe-json.5
grep -q '^On input the length may be given in any of these units' "$PAGE" ||
    fail "tickpipe-json(5) does not say that any unit is read"
{ grep -q '^\.Qq 1000ms$' "$PAGE" && grep -q '^\.Qq 060s$' "$PAGE"; } ||
    fail "tickpipe-json(5) gives no example of another spelling"
exit 0
