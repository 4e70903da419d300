#!/bin/sh
# t-collector-replay-not-recorder-dir: `collector replay` of a directory
# with no history file in it nor in a directory under it that holds
# anything a recorder does not make there, as one named a level too high
# (DIR/history/DAY/ holds the files), is no recorder's directory: said
# as recorder cat says it, naming what it holds, and exit 66 before the
# ring is opened (none made).  One holding only what a recorder makes
# there (empty day directories, an index) and what readers skip (hidden
# names, lost+found) is an empty history: said, and exit 0.  Before,
# the one named too high exited 0 as an empty history.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TPH=sim-2026-12-06T10.0001.tph
NONE="no history files in it nor in a directory under it"

mkdir -p "$T/top/history/2026-12-06" "$T/other"
: >"$T/top/history/2026-12-06/$TPH"
: >"$T/other/capture.raw"
for d in top:history other:capture.raw; do
	"$BIN/collector" --ring "$RING" replay --speed max "$T/${d%%:*}" \
	    2>"$T/err" </dev/null
	rc=$?
	[ ! -e "/dev/shm/tickpipe.$RING" ] ||
	    fail "${d%%:*}: the ring was made (exit $rc): $(cat "$T/err")"
	assert_eq "${d%%:*}: exit status" 66 $rc
	assert_eq "${d%%:*}: lines on stderr" 1 "$(wc -l <"$T/err")"
	grep -q "^collector: $T/${d%%:*}: $NONE, and ${d#*:} there is none of a recorder's: not a recorder's directory$" \
	    "$T/err" || fail "${d%%:*}: $(cat "$T/err")"
done

# what a recorder leaves there, and what readers skip: an empty history
mkdir -p "$T/days/2026-12-06" "$T/days/lost+found" "$T/days/.x"
: >"$T/days/.notes"
: >"$T/days/$TPH.idx"
"$BIN/collector" --ring "$RING" replay --speed max "$T/days" 2>"$T/err" \
    </dev/null
assert_eq "empty days: exit status" 0 "$?"
grep -q "^collector: $T/days: $NONE$" "$T/err" ||
    fail "empty days: $(cat "$T/err")"
exit 0
