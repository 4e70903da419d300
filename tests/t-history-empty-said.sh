#!/bin/sh
# t-history-empty-said: `recorder cat` and `collector replay` of a
# directory with no history files in it nor in a directory under it (an
# empty history, or one named a level too high: DIR/history/DAY/) say
# so; they printed nothing and exited 0 without a word.  Both exit 66
# for the one named too high, which is no recorder's directory.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/top/history/2026-12-06" "$T/empty"
: >"$T/top/history/2026-12-06/sim-2026-12-06T10.0001.tph"
for d in "$T/empty" "$T/top"; do
	"$BIN/recorder" cat "$d" >"$T/out" 2>"$T/err"
	rc=$?
	# top is no recorder's directory (t-recorder-cat-not-recorder-dir,
	# t-collector-replay-not-recorder-dir)
	want=0
	[ "$d" != "$T/top" ] || want=66
	assert_eq "recorder cat ${d#"$T"/}: exit status" $want $rc
	grep -q "$d: no history files in it nor in a directory under it" \
	    "$T/err" || fail "recorder cat ${d#"$T"/}: $(cat "$T/err")"
	"$BIN/collector" --ring "$T/ring" replay --speed max "$d" 2>"$T/err"
	assert_eq "collector replay ${d#"$T"/}: exit status" $want "$?"
	grep -q "$d: no history files in it nor in a directory under it" \
	    "$T/err" || fail "collector replay ${d#"$T"/}: $(cat "$T/err")"
done
exit 0
