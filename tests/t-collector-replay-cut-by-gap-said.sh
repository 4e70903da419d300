#!/bin/sh
# t-collector-replay-cut-by-gap-said: a book message a gap in the history
# cuts (its START recorded, then the recorder lapped: the rest of it
# lost) is not replayed: no record of it goes into the ring, whose
# readers would take its START for a message the collector left
# unfinished; `collector -v replay` says it, "book message at seq N: cut
# by a gap: dropped", as `recorder cat -v` and shmreader -v say one, and
# without -v only the count of incomplete messages says it
# (collector(1)).  Its START went into the ring with the trade after the
# gap, as one message, said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
R=$RING.r
cut_by_gap_hist
"$BIN/recorder" cat "$H" >"$T/want" 2>"$T/err" ||
    fail "recorder cat: exit $?: $(cat "$T/err")"

"$BIN/collector" -v --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
assert_eq "said with -v" \
    "collector: $H: book message at seq 2: cut by a gap: dropped" \
    "$(grep 'cut by a gap' "$T/err")"
grep -q "$H: 1 incomplete book messages skipped" "$T/err" ||
    fail "not counted: $(cat "$T/err")"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
! grep -q '"type":"book\|book message' "$T/got" "$T/rerr" ||
    fail "the cut message went into the ring: $(grep 'book' "$T/got" "$T/rerr")"
# the trades as recorded; recorder cat's gap line and the ring's status
# for it (t-collector-replay-gap-told) aside, only the ring seq differs
grep -v '"type":"gap"' "$T/want" | sed 's/,"seq":[0-9]*,/,/' >"$T/want.noseq"
grep -v '"type":"status"' "$T/got" | sed 's/,"seq":[0-9]*,/,/' >"$T/got.noseq"
cmp "$T/want.noseq" "$T/got.noseq" ||
    fail "replay differs: $(diff "$T/want.noseq" "$T/got.noseq" | head -n 4 | cut -c 1-200)"
assert_eq "trades replayed" 17 "$(wc -l <"$T/got.noseq")"

"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status" 0 "$?"
! grep -q 'cut by a gap' "$T/err" || fail "said without -v: $(cat "$T/err")"
grep -q "$H: record 3: the recording lost [0-9]* records from seq 3" \
    "$T/err" || fail "gap not said: $(cat "$T/err")"
grep -q "$H: 1 incomplete book messages skipped" "$T/err" ||
    fail "not counted without -v: $(cat "$T/err")"
exit 0
