#!/bin/sh
# t-collector-replay-damage-cuts-message: a book message whose records lie
# in three blocks (its writer stalled twice, each block cut a second past
# --flush, recorder(1)), the middle one damaged, is not replayed: its
# START is not joined to its LAST across the records lost, which the
# ring's readers would take for the whole message; it is dropped, said
# with -v, "book message at seq 1: cut by records missing from the
# history: dropped", and the loss is told to the ring (collector(1)).
# The START and the LAST went into the ring as one message, said by
# nothing there.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
damaged_mid_message_hist

"$BIN/collector" -v --ring "$RING.r" replay --speed max "$H" 2>"$T/err"
assert_eq "exit status" 65 "$?"
grep -q "checksum mismatch, 1 records skipped" "$T/err" ||
    fail "damage not said: $(cat "$T/err")"
"$BIN/shmreader" -v --ring "$RING.r" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
! grep -q '"type":"book' "$T/got" ||
    fail "the message went into the ring: $(grep '"type":"book' "$T/got")"
assert_eq "messages in the ring" 2 "$(wc -l <"$T/got" | tr -d ' ')"
grep -q '"status":"resync","reason":"replay: the recording lost 1 records from seq 2; books wait for a snapshot"' \
    "$T/got" || fail "the loss not told: $(cat "$T/got")"
grep -q "$H: book message at seq 1: cut by records missing from the history: dropped" \
    "$T/err" || fail "the cut not said: $(cat "$T/err")"
exit 0
