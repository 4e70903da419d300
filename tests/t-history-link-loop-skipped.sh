#!/bin/sh
# t-history-link-loop-skipped: a *.tph symbolic link in a loop (stat(2):
# ELOOP) in a history is a file that cannot be read: said, "(file
# skipped)", and the files after it are read (recorder(1), Reading
# history).  `recorder cat` prints every record and exits 65,
# `collector replay` replays them all and exits 65, and a recorder
# restarted there says it and resumes after the last record, nothing
# recorded twice.  One such link used to fail the whole listing: cat,
# replay and the recorder itself exited 66, reading nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

hour_trades 1 3 >"$T/lines"
record_lines 3 --block 1 --max-size 1
"$BIN/recorder" cat "$H" >"$T/whole" 2>"$T/err" ||
    fail "cat of the whole history: exit $?: $(cat "$T/err")"
# the newest file of the recorder's --name, to be read first at its restart
loop=$H/2026-12-02/tickpipe-2026-12-02T14.0004.tph
ln -s "$(basename "$loop")" "$loop"

"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "cat: exit status" 65 "$?"
grep -q "^recorder: $loop: Too many levels of symbolic links (file skipped)$" \
    "$T/err" || fail "cat: $(cat "$T/err")"
cmp -s "$T/whole" "$T/got" ||
    fail "cat: $(wc -l <"$T/got") lines, not the history's $(wc -l <"$T/whole")"

replay_skips_one "$loop: Too many levels of symbolic links (file skipped)"

# the ring goes on to seq 6; a recorder restarted takes up at seq 4
hour_trades 4 6 >"$T/lines"
: >"$T/rec.err"
record_lines 6 --block 1 --max-size 1
grep -q "$loop: Too many levels of symbolic links (skipped)" "$T/rec.err" ||
    fail "the recorder did not say the link: $(cat "$T/rec.err")"
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>/dev/null
assert_eq "seqs after the restart (each once)" "1 6 6" \
    "$($CAP seqs "$T/all.cap")"
exit 0
