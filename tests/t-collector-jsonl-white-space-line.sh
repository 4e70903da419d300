#!/bin/sh
# t-collector-jsonl-white-space-line: a line of only JSON white space
# (spaces, tabs, carriage returns) is skipped silently as an empty line
# is (tickpipe-json(5)), with --strict too, whether it ends in LF or in
# CR LF.  It was rejected, "invalid JSON at column N: '[' or '{'
# expected near end of file", fatal with --strict.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
L='{"type":"status","venue":"sim","ts":1,"recv":2,"status":"info"}'
printf '%s\n \n\t\n \t \r\n\r\r\n%s\n' "$L" "$L" >"$T/in"
timeout 10 "$BIN/collector" --ring "$RING" jsonl --strict "$T/in" \
    2>"$T/err"
assert_eq "exit status (--strict)" 0 "$?"
[ ! -s "$T/err" ] || fail "said: $(cat "$T/err")"
assert_eq "records" 2 "$("$BIN/shmreader" --ring "$RING" --no-follow | wc -l)"

# white space around a line's object is still the line's
printf ' \t%s \t\n' "$L" >"$T/padded"
timeout 10 "$BIN/collector" --ring "$RING.b" jsonl --strict "$T/padded" \
    2>"$T/err"
assert_eq "exit status (object in white space)" 0 "$?"
assert_eq "records (object in white space)" 1 \
    "$("$BIN/shmreader" --ring "$RING.b" --no-follow | wc -l)"
exit 0
