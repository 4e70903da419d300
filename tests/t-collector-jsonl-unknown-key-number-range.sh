#!/bin/sh
# t-collector-jsonl-unknown-key-number-range: a key that `collector
# jsonl` does not know is ignored, but its value is read as JSON all the
# same: a number beyond a double (1e999) or an integer above 2^63 - 1
# there rejects the line as invalid JSON, as tickpipe-json(5) says under
# "What a reader rejects"; one within range, of any JSON type, is ignored.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
# tr_line SEQ EXTRA: a trade line with EXTRA members after its own
tr_line() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":%s,"vseq":%s,"ts":1,"recv":2,"price":"1","qty":"1","side":"buy","tid":"x",%s}\n' \
	    "$1" "$1" "$2"
}
{
	tr_line 1 '"x":{"a":[1,2.5e300,null,true,"s"]}'	# ok
	tr_line 2 '"x":1e999'				# real overflow
	tr_line 3 '"x":18446744073709551616'		# integer overflow
} >"$IN"
"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
assert_eq "collector jsonl exit status" 0 "$?"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
    fail "shmreader: $(cat "$T/rerr")"
assert_eq "trades written, by vseq" 1 \
    "$(sed -n 's/.*"vseq":\([0-9]*\),.*/\1/p' "$T/out" | tr '\n' ' ' |
    sed 's/ $//')"
for n in 2 3; do
	grep -q "collector: $IN:$n: invalid JSON at column [0-9]*: .*: skipped" \
	    "$T/err" || fail "line $n: $(grep -F "$IN:$n:" "$T/err")"
done
# the page names it
grep -q 'beyond the range of a double (such as 1e999)' \
    "$TOP/man/tickpipe-json.5" ||
    fail "tickpipe-json(5) does not say that 1e999 is rejected"
exit 0
