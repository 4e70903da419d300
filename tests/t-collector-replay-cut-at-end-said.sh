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
{
	echo "type=1 venue=1 symbol=BTC-USD ts=$ts recv=$ts price=100 qty=1 side=1 tid=a"
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=100:0:1:0 flags=1"
} | "$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
rec_start rec --flush 20
rec_block_until rec 2	# the START written

"$BIN/collector" --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "stderr" \
    "collector: $H: book message at seq 2: no LAST at the end of the history: dropped
collector: $H: 1 incomplete book messages skipped" "$(cat "$T/err")"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
assert_eq "records in the ring" 1 "$(wc -l <"$T/got")"
grep -q '"type":"trade"' "$T/got" || fail "the trade not replayed: $(cat "$T/got")"
! grep -q 'book' "$T/got" "$T/rerr" ||
    fail "the cut message went into the ring: $(grep 'book' "$T/got" "$T/rerr")"

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" -v --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
assert_eq "said with -v" 1 \
    "$(grep -c "$H: book message at seq 2: no LAST at the end of the history: dropped" "$T/err")"
grep -q "$H: 1 incomplete book messages skipped" "$T/err" ||
    fail "not counted with -v: $(cat "$T/err")"

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max --to $((ts + 1)) "$H" \
    2>"$T/err"
assert_eq "exit status with --to" 0 "$?"
! grep -q 'no LAST' "$T/err" || fail "said with --to: $(cat "$T/err")"
exit 0
