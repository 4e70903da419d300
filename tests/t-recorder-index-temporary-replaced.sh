#!/bin/sh
# t-recorder-index-temporary-replaced: a file's index is written through
# a temporary, FILE.idx.tmp (recorder(1), FILE FORMAT), and whatever holds
# that name is the recorder's to replace, never opened: with a FIFO
# there, the recorder closing FILE at a rotation waited for ever in
# open(2) for a reader, recording nothing more.  Here the FIFO is in the
# place of the first file's temporary: every record is recorded, and
# that file's index written.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
first=$H/2026-12-02/tickpipe-2026-12-02T14.0001.tph

mkdir -p "$H/2026-12-02"
mkfifo "$first.idx.tmp"
hour_trades 1 3 >"$T/lines"
# fails within 10 s if the recorder hangs closing the first file
record_lines 3 --block 1 --max-size 1
[ -f "$first.idx" ] && [ -s "$first.idx" ] ||
    fail "the first file's index is not written: $(ls -l "$H/2026-12-02")"
[ ! -e "$first.idx.tmp" ] || fail "the temporary is left: $(ls -l "$H/2026-12-02")"
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "recorder cat: exit $?: $(cat "$T/err")"
assert_eq "seqs" "1 3 3" "$($CAP seqs "$T/all.cap")"
exit 0
