#!/bin/sh
# t-recorder-cat-chain: history with records missing does not read as
# whole.  Each file's header names the last seq recorded before it; when
# the file before it ends elsewhere (a file removed, or cut back to a
# block boundary with its index left), `recorder cat` says which records
# are missing and exits 65, and still prints what is there.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

record_sim_files "$H"
set -- "$H"/*/sim-*.tph
[ $# -ge 3 ] || fail "$# files: $(ls -l "$H"/*)"
"$BIN/recorder" cat "$H" >"$T/whole" 2>"$T/err" ||
    fail "cat of the whole history: exit $?: $(cat "$T/err")"

# the second file removed
cp -a "$H" "$T/h1"
rm "$T/h1/${2#"$H"/}" "$T/h1/${2#"$H"/}.idx"
"$BIN/recorder" cat "$T/h1" >"$T/got" 2>"$T/err"
assert_eq "file removed: exit status" 65 "$?"
grep -q "missing from the history" "$T/err" || fail "file removed: $(cat "$T/err")"
[ "$(wc -l <"$T/got")" -lt "$(wc -l <"$T/whole")" ] ||
    fail "file removed: as many lines as the whole history"

# the second file cut back at its last block's offset, index kept
cp -a "$H" "$T/h2"
f=$T/h2/${2#"$H"/}
cut=$($CAP blocks "$f.idx" | tail -n 1 | cut -d ' ' -f 1)
truncate -s "$cut" "$f"
"$BIN/recorder" cat "$T/h2" >"$T/got" 2>"$T/err"
assert_eq "file cut: exit status" 65 "$?"
grep -q "missing from the history" "$T/err" || fail "file cut: $(cat "$T/err")"

# the whole history: nothing said
"$BIN/recorder" cat "$H" >/dev/null 2>"$T/err" || fail "whole: exit $?"
[ ! -s "$T/err" ] || fail "whole: $(cat "$T/err")"
exit 0
