#!/bin/sh
# t-collector-replay-gaps-told-each: two gaps recorded one after the
# other, before one message, are told to the readers of the replayed
# ring one by one, in their order, each with its own count and first
# seq: "replay: the recording lost 3 records from seq 2; ...", then
# "... lost 4 records from seq 6; ...", before the message (collector(1)).
# They were told as one status, 7 records from seq 2: a reader could
# not tell there were two losses, nor where the second was.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
R=$RING.r
gap_trades 1 2 | "$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/s.raw" ||
    fail "shmreader --format raw"
# trade t1, a gap of 3 from seq 2, a gap of 4 from seq 6, trade t2
{ head -c $((64 + 256)) "$T/s.raw"
  $CAP gap 2 3
  $CAP gap 6 4
  tail -c 256 "$T/s.raw"; } >"$T/cap.raw"

"$BIN/collector" --ring "$R" replay --speed max "$T/cap.raw" 2>"$T/err"
assert_eq "exit status" 0 "$?"
"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
    fail "shmreader: exit $?: $(cat "$T/rerr")"
assert_eq "messages in the ring" 4 "$(wc -l <"$T/got" | tr -d ' ')"
sed -n 2,3p "$T/got" | sed 's/.*"reason":"\([^"]*\)".*/\1/' >"$T/told"
assert_eq "told to the ring" \
    "replay: the recording lost 3 records from seq 2; books wait for a snapshot
replay: the recording lost 4 records from seq 6; books wait for a snapshot" \
    "$(cat "$T/told")"
sed -n 4p "$T/got" | grep -q '"tid":"t2"' ||
    fail "trade t2 not after the statuses: $(cat "$T/got")"
"$BIN/shmreader" --ring "$R" --unlink
exit 0
