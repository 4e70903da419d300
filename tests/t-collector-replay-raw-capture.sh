#!/bin/sh
# t-collector-replay-raw-capture: a capture made with `shmreader --format
# raw` and replayed by `collector replay --speed max` into another ring
# reads back as the same JSONL apart from ring sequences.  The capture is
# a 64-byte header and whole 256-byte records; a truncated capture replays
# its whole messages and says it ends with a partial record; a capture
# that is not one, or has another record layout, is refused (exit 65).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=3000
A=$RING.a
C=$RING.c

"$BIN/collector" --ring "$A" sim --seed 3 --count "$N" --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$A" --no-follow >"$T/a.jsonl" || fail "shmreader"
"$BIN/shmreader" --ring "$A" --no-follow --format raw >"$T/cap.raw" ||
    fail "shmreader --format raw"
recs=$("$BIN/shmreader" --ring "$A" --stat | sed -n 's/^seq: //p')
assert_eq "capture size" $((64 + recs * 256)) "$(wc -c <"$T/cap.raw" | tr -d ' ')"

"$BIN/collector" --ring "$C" replay --speed max "$T/cap.raw" 2>"$T/err" ||
    fail "collector replay: $(cat "$T/err")"
"$BIN/shmreader" --ring "$C" --no-follow >"$T/c.jsonl" || fail "shmreader C"
sed 's/,"seq":[0-9]*,/,/' "$T/a.jsonl" >"$T/a.noseq"
sed 's/,"seq":[0-9]*,/,/' "$T/c.jsonl" >"$T/c.noseq"
cmp "$T/a.noseq" "$T/c.noseq" ||
    fail "replay differs: $(diff "$T/a.noseq" "$T/c.noseq" | head -n 4 | cut -c 1-200)"

# 100 whole records plus half of one
head -c $((64 + 100 * 256 + 128)) "$T/cap.raw" >"$T/short.raw"
"$BIN/shmreader" --ring "$C" --unlink || fail "--unlink"
"$BIN/collector" --ring "$C" replay --speed max "$T/short.raw" 2>"$T/err"
assert_eq "truncated capture: exit status" 0 "$?"
grep -q "short.raw: ends with a partial record" "$T/err" ||
    fail "truncated capture: $(cat "$T/err")"
got=$("$BIN/shmreader" --ring "$C" --no-follow --format raw | wc -c)
if [ "$got" -le 64 ] || [ "$got" -gt $((64 + 100 * 256)) ]; then
	fail "replayed $((got - 64)) bytes of records from 100.5 records"
fi

# not a capture; a capture of another record layout
"$BIN/shmreader" --ring "$C" --unlink || fail "--unlink"
"$BIN/collector" --ring "$C" replay --speed max "$T/a.jsonl" 2>"$T/err"
assert_eq "JSONL as capture: exit status" 65 "$?"
grep -q "not a tickpipe capture" "$T/err" || fail "bad magic: $(cat "$T/err")"
{ head -c 16 "$T/cap.raw"; printf 'XXXXXXXX'; tail -c +25 "$T/cap.raw"; } \
    >"$T/other.raw"
"$BIN/collector" --ring "$C" replay --speed max "$T/other.raw" 2>"$T/err"
assert_eq "other layout: exit status" 65 "$?"
grep -q "capture record layout differs.*layout hash 0x5858585858585858" \
    "$T/err" || fail "other layout: $(cat "$T/err")"
exit 0
