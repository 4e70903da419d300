#!/bin/sh
# t-deriver-output-too-small-remedy: an existing output ring too small
# for the deepest --top is refused (exit 64) with the remedy that works,
# removing it (deriver(1), --capacity), and the same command then runs.
# Before: the message said "or give --capacity", and --capacity with an
# existing ring of another capacity is refused as not compatible (78).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d

"$BIN/collector" --ring "$A" sim --count 10 --rate max 2>"$T/err" ||
    fail "collector sim: $(cat "$T/err")"
"$BIN/collector" --ring "$D" --capacity 16 sim --count 1 --rate max \
    2>"$T/err" || fail "collector sim into $D: $(cat "$T/err")"

"$BIN/deriver" --ring "$A" --out "$D" --top 1000:100 --no-follow \
    2>"$T/small.err"
assert_eq "deriver into a ring of 16: exit status" 64 "$?"
grep -q 'capacity 16: too small .*; remove it (shmreader --unlink)$' \
    "$T/small.err" || fail "deriver into a ring of 16: $(cat "$T/small.err")"
# what the old message offered instead does not help
"$BIN/deriver" --ring "$A" --out "$D" --top 1000:100 --capacity 512 \
    --no-follow 2>"$T/cap.err"
assert_eq "deriver --capacity 512 into a ring of 16: exit status" 78 "$?"

"$BIN/shmreader" --ring "$D" --unlink 2>"$T/err" ||
    fail "shmreader --unlink: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --top 1000:100 --no-follow \
    2>"$T/ok.err" || fail "deriver after the remedy: exit $?: $(cat "$T/ok.err")"
[ "$("$BIN/shmreader" --ring "$D" --no-follow --type quote | wc -l)" -gt 0 ] ||
    fail "deriver after the remedy: no quotes in $D"
exit 0
