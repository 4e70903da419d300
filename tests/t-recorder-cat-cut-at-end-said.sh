#!/bin/sh
# t-recorder-cat-cut-at-end-said: a book message the history ends inside
# (its START recorded, its LAST never: the recorder stopped while its
# writer stalled) is lost, and `recorder cat` says so on standard error
# without -v, naming the path and the message's seq, as shmreader says
# one it stops inside; the messages before it are printed and the exit
# status is 0, as for a torn last block (recorder(1)).  With -v it is
# said once, and counted as partial.  One that begins at or after --to
# is not wanted: not said.  It was counted, said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
ts=1796220000000000000	# 2026-12-02T14:00Z
cut_at_end_hist

"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "lines printed" 1 "$(wc -l <"$T/got")"
grep -q '"type":"trade".*"seq":1,' "$T/got" ||
    fail "the trade not printed: $(cat "$T/got")"
assert_eq "stderr" \
    "recorder: $H: book message at seq 2: no LAST at the end of the history: dropped" \
    "$(cat "$T/err")"

"$BIN/recorder" cat -v "$H" >/dev/null 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
assert_eq "said with -v" 1 "$(grep -c 'book message at seq 2: no LAST' "$T/err")"
grep -q "partial 1 " "$T/err" || fail "recorder cat -v: $(cat "$T/err")"

"$BIN/recorder" cat --to $((ts + 1)) "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status with --to" 0 "$?"
assert_eq "lines printed with --to" 1 "$(wc -l <"$T/got")"
assert_eq "stderr with --to" "" "$(cat "$T/err")"
exit 0
