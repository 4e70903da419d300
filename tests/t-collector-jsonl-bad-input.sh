#!/bin/sh
# t-collector-jsonl-bad-input: `collector jsonl` rejects every kind of bad
# line (malformed JSON, wrong types, missing keys, lines over 1 MiB,
# non-UTF-8, out-of-range numbers) with "FILE:LINE: reason" on stderr,
# counts it and goes on: it never crashes, and exactly the valid lines
# around the bad ones reach the ring, in order.  With --strict the first
# bad line is fatal (exit 65) and nothing after it is written.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
V='{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1,"vseq":2,"ts":3,"recv":4,"price":"100.5","qty":"1","side":"buy","tid":"'
H='{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":3,"recv":4,'
{
	echo "${V}a\"}"						# 1 ok
	echo '{'						# 2
	echo "${V}b\"}"						# 3 ok
	echo "${H}"'"price":"1","qty":1,"side":"buy","tid":"q"}'	# 4 type
	echo "${H}"'"qty":"1","side":"buy","tid":"q"}'		# 5 missing
	/usr/bin/python3 -c 'print("{\"type\":\"trade\",\"x\":\"" + "x" * 1500000 + "\"}")'	# 6 > 1 MiB
	echo "${V}c\"}"						# 7 ok
	printf '%s\377"}\n' "$V"				# 8 non-UTF-8
	printf '%s\300\257"}\n' "$V"				# 9 overlong UTF-8
	echo "${H}"'"price":"1e99","qty":"1","side":"buy","tid":"q"}'	# 10 range
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":99999999999999999999,"recv":4,"price":"1","qty":"1","side":"buy","tid":"q"}'	# 11 range
	echo "${V}d\"}"						# 12 ok
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":3,"recv":4,"price":"1","qty":"1","side":"buy","tid":"q","tid":"r"}'	# 13 duplicate
	echo '["not","an","object"]'				# 14
	echo "${H}"'"price":"1","qty":"99999999999999999999","side":"buy","tid":"q"}'	# 15 range
	printf '%se"}' "$V"					# 16 ok, no newline
} >"$IN"

"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
st=$?
cat "$T/err" >&2
assert_eq "exit status" 0 "$st"
assert_eq "valid lines in the ring, in order" "a b c d e" \
    "$("$BIN/shmreader" --ring "$RING" --no-follow |
    sed -n 's/.*"tid":"\([a-z]\)"}$/\1/p' | tr '\n' ' ' | sed 's/ $//')"

# reject LINE TEXT: stderr names that line with that reason
reject() {
	grep -F "collector: $IN:$1: " "$T/err" | grep -qF -- "$2" ||
	    fail "line $1: no \"$IN:$1: ...$2\" on stderr"
}
reject 2 "invalid JSON"
reject 4 "qty must be a string holding a decimal"
reject 5 'missing key "price"'
reject 6 "line longer than 1048576 bytes"
reject 8 "invalid JSON"
reject 9 "invalid JSON"
reject 10 'price "1e99": out of range'
reject 11 "too big integer"
reject 13 "duplicate"
reject 14 "not a JSON object"
reject 15 'qty "99999999999999999999": out of range'
for ok in 1 3 7 12 16; do
	! grep -q "^collector: $IN:$ok:" "$T/err" || fail "valid line $ok rejected"
done
grep -qF "$IN: 16 lines, 11 rejected" "$T/err" || fail "no summary line"

# --strict: the first bad line ends it, with EX_DATAERR
ring_unlink_all() { "$BIN/shmreader" --ring "$RING" --unlink 2>/dev/null; }
ring_unlink_all
"$BIN/collector" --ring "$RING" jsonl --strict "$IN" 2>"$T/err"
assert_eq "--strict exit status" 65 "$?"
grep -qF "$IN:2: invalid JSON" "$T/err" || fail "--strict: $(cat "$T/err")"
assert_eq "--strict: only what came before" 1 \
    "$("$BIN/shmreader" --ring "$RING" --no-follow | wc -l | tr -d ' ')"

# the same from standard input, named "stdin"
ring_unlink_all
"$BIN/collector" --ring "$RING" jsonl <"$IN" 2>"$T/err"
assert_eq "stdin: exit status" 0 "$?"
grep -qF "stdin:6: line longer than 1048576 bytes" "$T/err" ||
    fail "stdin: $(cat "$T/err")"
assert_eq "stdin: records" 5 \
    "$("$BIN/shmreader" --ring "$RING" --no-follow | wc -l | tr -d ' ')"
exit 0
