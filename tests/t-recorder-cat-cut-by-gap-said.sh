#!/bin/sh
# t-recorder-cat-cut-by-gap-said: a book message a gap in the history
# cuts (its START recorded, then the recorder lapped: the rest of it
# lost) is dropped, and `recorder cat -v` says so, "book message at seq
# N: cut by a gap: dropped", as shmreader -v says one; without -v it is
# not said, as shmreader does not, since the gap line shows it
# (recorder(1)).  It was counted in partial, said by nothing, not even
# -v.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
cut_by_gap_hist

"$BIN/recorder" cat -v "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
assert_eq "said with -v" \
    "recorder: book message at seq 2: cut by a gap: dropped" \
    "$(grep 'book message' "$T/err")"
grep -q "partial 1 " "$T/err" || fail "recorder cat -v: $(cat "$T/err")"
grep -q '^{"type":"gap","from":3,' "$T/got" ||
    fail "no gap line from seq 3: $(cat "$T/got")"

"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "lines printed (the trades and the gap)" 18 "$(wc -l <"$T/got")"
assert_eq "stderr without -v" "" "$(cat "$T/err")"
exit 0
