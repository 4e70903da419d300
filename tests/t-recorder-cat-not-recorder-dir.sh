#!/bin/sh
# t-recorder-cat-not-recorder-dir: `recorder cat` of a directory with no
# history file in it nor in a directory under it exits 0, said, when it
# is an empty history: a recorder's directory before its first block
# (made, the ring awaited), or one holding only empty day directories,
# hidden names and a lost+found.  One holding anything else is no
# recorder's directory, as one named a level too high (DIR/history/DAY/
# holds the files): said, naming what it holds, and exit 66, also beside
# damage elsewhere (66 before 65, recorder(1) EXIT STATUS).  Before, it
# exited 0 and a script took the mistake for an empty history.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TPH=sim-2026-12-06T10.0001.tph
NONE="no history files in it nor in a directory under it"

# cat_rc WANT DIR [PATH...]: recorder cat exits WANT, reading DIR first
cat_rc() {
	want=$1
	shift
	"$BIN/recorder" cat "$@" >"$T/out" 2>"$T/err"
	assert_eq "recorder cat ${1#"$T"/}: exit status" "$want" "$?"
}

# a recorder's directory, made while it awaits its ring
"$BIN/recorder" --ring "$RING" "$T/rec" 2>"$T/rec.err" &
r=$!
track $r
wait_for 10 test -d "$T/rec" || fail "no $T/rec: $(cat "$T/rec.err")"
cat_rc 0 "$T/rec"
grep -q "^recorder: $T/rec: $NONE$" "$T/err" ||
    fail "recorder's directory: $(cat "$T/err")"
kill $r
wait_pid 5 $r recorder

# what a recorder leaves there, and what readers skip
mkdir -p "$T/days/2026-12-06" "$T/days/lost+found" "$T/days/.x"
: >"$T/days/.notes"
cat_rc 0 "$T/days"
grep -q "^recorder: $T/days: $NONE$" "$T/err" ||
    fail "empty days: $(cat "$T/err")"

# a level too high, and a directory of something else
mkdir -p "$T/top/history/2026-12-06" "$T/other"
: >"$T/top/history/2026-12-06/$TPH"
: >"$T/other/capture.raw"
for d in top:history other:capture.raw; do
	cat_rc 66 "$T/${d%%:*}"
	grep -q "^recorder: $T/${d%%:*}: $NONE, and ${d#*:} there is none of a recorder's: not a recorder's directory$" \
	    "$T/err" || fail "${d%%:*}: $(cat "$T/err")"
done

# beside damage (a file shorter than its header, said, 65): 66
mkdir -p "$T/dmg/2026-12-06"
: >"$T/dmg/2026-12-06/$TPH"
cat_rc 65 "$T/dmg"
cat_rc 66 "$T/dmg" "$T/top"
cat_rc 66 "$T/top" "$T/dmg"
grep -q "file skipped" "$T/err" || fail "damage after top: $(cat "$T/err")"
exit 0
