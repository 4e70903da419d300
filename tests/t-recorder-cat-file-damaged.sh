#!/bin/sh
# t-recorder-cat-file-damaged: a history file whose header is damaged
# (one byte of its magic) or that is shorter than a header is said,
# "(file skipped)", and `recorder cat` reads the files after it: it
# prints the records of every other file, as each prints alone, and
# exits 65 (recorder(1)); it used to stop there with exit 74, hiding
# the rest of the history.  A path that does not exist is said, and the
# paths after it are read (exit 66).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

record_sim_files "$H"
set -- "$H"/*/sim-*.tph
[ $# -ge 3 ] || fail "$# files: $(ls -l "$H"/*)"
bad=$2
# want: the records of each other file, read alone, in order
for f; do
	[ "$f" = "$bad" ] && continue
	"$BIN/recorder" cat "$f" 2>"$T/err" || fail "cat $f: $(cat "$T/err")"
done >"$T/want"
printf X | dd of="$bad" bs=1 seek=0 conv=notrunc 2>/dev/null
"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "magic damaged: exit status" 65 "$?"
grep -q "$bad.*(file skipped)" "$T/err" || fail "magic damaged: $(cat "$T/err")"
cmp "$T/want" "$T/got" >/dev/null ||
    fail "magic damaged: $(wc -l <"$T/got") lines, not the other files' $(wc -l <"$T/want")"
: >"$bad"
"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "empty file: exit status" 65 "$?"
cmp "$T/want" "$T/got" >/dev/null || fail "empty file: not the other files' records"

# a path that does not exist: said, 66, and the paths after it read
"$BIN/recorder" cat "$T/nonexistent" "$H" >"$T/got2" 2>"$T/err"
assert_eq "missing path first: exit status" 66 "$?"
grep -q "$T/nonexistent" "$T/err" || fail "missing path: $(cat "$T/err")"
cmp "$T/got" "$T/got2" >/dev/null ||
    fail "missing path first: the next path not read ($(wc -l <"$T/got2") lines)"
exit 0
