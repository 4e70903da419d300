#!/bin/sh
# t-recorder-cat-damage-cuts-message: a book message whose records lie in
# three blocks, the middle one damaged, is not printed: its START is not
# joined to its LAST across the records lost, as one message that looks
# whole; it is dropped, said with -v, "book message at seq 1: cut by
# records missing from the history: dropped", and counted partial, as
# one a gap cuts (recorder(1)).  The START and the LAST were printed as
# one message, bids 100 and 102, 101 lost unsaid in it.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
damaged_mid_message_hist

"$BIN/recorder" cat -v "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status" 65 "$?"
grep -q "checksum mismatch, 1 records skipped" "$T/err" ||
    fail "damage not said: $(cat "$T/err")"
! grep -q '"type":"book' "$T/got" ||
    fail "the message printed: $(grep '"type":"book' "$T/got")"
assert_eq "lines printed" 2 "$(wc -l <"$T/got" | tr -d ' ')"
grep -q '"type":"trade"' "$T/got" || fail "the trade not printed: $(cat "$T/got")"
grep -q "^recorder: book message at seq 1: cut by records missing from the history: dropped$" \
    "$T/err" || fail "the cut not said: $(cat "$T/err")"
grep -q "messages 1 gaps 1 partial 2 skipped 0" "$T/err" ||
    fail "not counted: $(cat "$T/err")"
exit 0
