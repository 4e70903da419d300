#!/bin/sh
# t-shmreader-table-escapes: `shmreader --format table` writes a venue's
# text (a trade id, a status reason) for a terminal: controls (C0, DEL,
# C1) as \xHH, a backslash doubled, UTF-8 text as it is, one line a
# message.  It wrote them raw: a trade id with a newline made two lines,
# ESC sequences reached the terminal (shmreader(1), --format).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

cat >"$T/in.jsonl" <<'EOF2'
{"type":"trade","venue":"sim","symbol":"BTC-USD","vseq":1,"ts":1700000000000000000,"recv":1,"price":"1.5","qty":"2","side":"buy","tid":"1\n  FAKE 9999 x 9\r"}
{"type":"status","venue":"sim","vseq":0,"ts":1700000000000000000,"recv":2,"status":"info","reason":"\u001b]0;pwned\u0007\u001b[2J \u009b2J caf\u00e9 a\\b"}
EOF2
"$BIN/collector" --ring "$RING" jsonl "$T/in.jsonl" 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
"$BIN/shmreader" --ring "$RING" --no-follow --format table >"$T/out" \
    2>"$T/err" || fail "shmreader: $(cat "$T/err")"
assert_eq "lines" 2 "$(wc -l <"$T/out")"
grep -q 'id 1\\x0a  FAKE 9999 x 9\\x0d$' "$T/out" || fail "trade: $(cat -A "$T/out")"
grep -q 'info: \\x1b\]0;pwned\\x07\\x1b\[2J \\xc2\\x9b2J café a\\\\b$' "$T/out" ||
    fail "status: $(cat -A "$T/out")"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out"; then
	fail "an ESC went out: $(cat -A "$T/out")"
fi
exit 0
