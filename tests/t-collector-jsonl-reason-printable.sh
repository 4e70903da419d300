#!/bin/sh
# t-collector-jsonl-reason-printable: what `collector jsonl` says of a
# rejected line stays one printable line, "collector: FILE:LINE: REASON:
# skipped" (tickpipe-json(5)), whatever of the input the reason quotes: a
# decimal, a venue name, the "near '...'" of a JSON error.  A byte that is
# not printable ASCII is shown as \xHH.  The input went to stderr raw
# (ESC, BEL, a newline that made a line of its own).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
H='{"type":"trade","symbol":"BTC-USD","ts":1,"recv":2,"qty":"2","side":"buy","tid":"x",'
{
	printf '%s\n' "$H"'"venue":"sim","price":"\u001b]0;t\u0007\ncollector: stdin:9: fake"}'
	printf '%s\n' "$H"'"venue":"s\u001bim","price":"1"}'
	printf '{"a":\033]0;t\007}\n'
	printf '{"a":"\351"}\n'
} >"$T/in"
timeout 10 "$BIN/collector" --ring "$RING" jsonl "$T/in" 2>"$T/err"
assert_eq "exit status" 0 "$?"
LC_ALL=C grep -q '[^ -~]' "$T/err" &&
    fail "a byte not printable on stderr: $(od -c "$T/err" | head -20)"
assert_eq "lines on stderr" 5 "$(wc -l <"$T/err")"
for n in 1 2 3 4; do
	grep -q "^collector: $T/in:$n: .*: skipped\$" "$T/err" ||
	    fail "line $n: $(cat "$T/err")"
done
grep -qF ":1: price \"\\x1b]0;t\\x07\\x0acollector: stdin:9: fake\": not a decimal number: skipped" \
    "$T/err" || fail "line 1: $(cat "$T/err")"
grep -qF ':2: unknown venue "s\x1bim": skipped' "$T/err" ||
    fail "line 2: $(cat "$T/err")"
grep -qF ":3: invalid JSON at column 6: invalid token near '\\x1b': skipped" \
    "$T/err" || fail "line 3: $(cat "$T/err")"
exit 0
