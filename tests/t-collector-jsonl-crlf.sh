#!/bin/sh
# t-collector-jsonl-crlf: a line's final CR is not part of it
# (tickpipe-json(5)): with CR LF line ends an empty line ("\r\n") is
# skipped silently, with --strict too, and a line of 1048576 bytes before
# its CR is within the limit, one byte more is not.  "\r\n" was rejected,
# "'[' or '{' expected near end of file", fatal with --strict; the CR
# counted in the 1 MiB.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
L='{"type":"status","venue":"sim","ts":1,"recv":2,"status":"info"}'
printf '%s\r\n\r\n%s\r\n\r' "$L" "$L" >"$T/crlf"
timeout 10 "$BIN/collector" --ring "$RING" jsonl --strict "$T/crlf" \
    2>"$T/err"
assert_eq "exit status (--strict)" 0 "$?"
[ ! -s "$T/err" ] || fail "said: $(cat "$T/err")"
assert_eq "records" 2 "$("$BIN/shmreader" --ring "$RING" --no-follow | wc -l)"

# LEN: the line, padded with spaces to LEN bytes, then CR LF
padded() {
	/usr/bin/python3 -c 'import sys
l = sys.argv[1]
sys.stdout.write(l + " " * (int(sys.argv[2]) - len(l)) + "\r\n")' "$L" "$1"
}
{ padded 1048576; padded 1048577; } >"$T/long"
timeout 10 "$BIN/collector" --ring "$RING.b" jsonl "$T/long" 2>"$T/err"
assert_eq "exit status" 0 "$?"
grep -q ":1: " "$T/err" && fail "1048576 bytes and CR rejected: $(cat "$T/err")"
grep -qF "$T/long:2: line longer than 1048576 bytes: skipped" "$T/err" ||
    fail "1048577 bytes and CR not rejected: $(cat "$T/err")"
assert_eq "records" 1 "$("$BIN/shmreader" --ring "$RING.b" --no-follow | wc -l)"
exit 0
