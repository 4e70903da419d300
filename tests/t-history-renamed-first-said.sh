#!/bin/sh
# t-history-renamed-first-said: a history file renamed so that it sorts
# before the first file its recorder wrote breaks the chain: the first
# file, whose header says nothing was recorded before it, follows a file
# of the same name, so its records are out of their place.  `recorder
# cat` and `collector replay` say it, "FILE: follows no record, but FILE
# ends at seq B: a file out of its place in the history", and exit 65
# (recorder(1)); both read the files as listed all the same.  The first
# file's header was taken as following anything: it went unsaid, exit 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
day=$H/2026-12-02
first=$day/tickpipe-2026-12-02T14.0001.tph
moved=$day/tickpipe-2026-12-02T13.0001.tph

hour_trades 1 3 >"$T/lines"
record_lines 3 --block 1 --max-size 1
[ -f "$day/tickpipe-2026-12-02T14.0003.tph" ] ||
    fail "no third file: $(ls "$day")"
"$BIN/recorder" cat "$H" >"$T/whole" 2>"$T/err" ||
    fail "cat of the whole history: exit $?: $(cat "$T/err")"
mv "$day/tickpipe-2026-12-02T14.0003.tph" "$moved"
mv "$day/tickpipe-2026-12-02T14.0003.tph.idx" "$moved.idx"

want="$first: follows no record, but $moved ends at seq 3: a file out of its place in the history (one renamed?)"
"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "cat: exit status" 65 "$?"
assert_eq "cat: stderr" "recorder: $want" "$(cat "$T/err")"
assert_eq "cat: lines printed" 3 "$(wc -l <"$T/got")"
"$BIN/collector" --ring "$RING.r" replay --speed max "$H" 2>"$T/err"
assert_eq "replay: exit status" 65 "$?"
grep -qxF "collector: $want" "$T/err" || fail "replay: $(cat "$T/err")"
exit 0
