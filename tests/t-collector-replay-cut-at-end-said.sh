#!/bin/sh
# t-collector-replay-cut-at-end-said: a book message the history ends
# inside (its START recorded, its LAST never: the recorder stopped while
# its writer stalled) is not replayed: no record of it goes into the
# ring; `collector replay` says it without -v, "book message at seq N:
# no LAST at the end of the history: dropped", as `recorder cat` says
# one, and counts it with the incomplete messages; the trade before it
# is replayed and the exit status is 0.  With -v it is said once.  One
# that begins at or after --to is not wanted: not said (collector(1)).
# It was counted nowhere, said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
R=$RING.r
ts=1796220000000000000	# 2026-12-02T14:00Z
cut_at_end_hist

replay_cut_at_end "$H" history

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max --to $((ts + 1)) "$H" \
    2>"$T/err"
assert_eq "exit status with --to" 0 "$?"
! grep -q 'no LAST' "$T/err" || fail "said with --to: $(cat "$T/err")"
exit 0
