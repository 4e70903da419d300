#!/bin/sh
# t-recorder-next-name-taken: an entry that is no history file under the
# name of the recorder's next file (a directory, a symbolic link to
# nothing) is numbered past, and said: the recorder restarted writes its
# next file after it and records on, and the history reads whole.  The
# files were numbered from the history files alone, then opened with
# O_EXCL: "File exists", a write error (74), at every restart.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
day=$H/2026-12-02
f=$day/tickpipe-2026-12-02T14

hour_trades 1 1 >"$T/lines"
record_lines 1 --block 1 --max-size 1
[ -f "$f.0001.tph" ] || fail "no $f.0001.tph: $(ls "$day")"

# a directory under the next name
mkdir "$f.0002.tph"
hour_trades 2 2 >"$T/lines"
: >"$T/rec.err"
record_lines 2 --block 1 --max-size 1
[ -f "$f.0003.tph" ] || fail "a directory at .0002: no .0003: $(ls "$day")"
grep -q "^recorder: $f.0002.tph: not a history file (a directory, a link to nothing?): the next file is numbered past it$" \
    "$T/rec.err" || fail "a directory at .0002: not said: $(cat "$T/rec.err")"

# a link to nothing under the next name
ln -s nowhere "$f.0004.tph"
hour_trades 3 3 >"$T/lines"
: >"$T/rec.err"
record_lines 3 --block 1 --max-size 1
[ -f "$f.0005.tph" ] || fail "a link at .0004: no .0005: $(ls "$day")"
grep -q "^recorder: $f.0004.tph: not a history file" "$T/rec.err" ||
    fail "a link at .0004: not said: $(cat "$T/rec.err")"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "recorder cat: exit $?: $(cat "$T/err")"
assert_eq "seqs" "1 3 3" "$($CAP seqs "$T/all.cap")"
exit 0
