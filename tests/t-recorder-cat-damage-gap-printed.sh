#!/bin/sh
# t-recorder-cat-damage-gap-printed: the records a damaged block took
# from the history are printed by `recorder cat` as a gap where they
# were lost, before the record after them, as a recorded gap is
# printed, with their number: a book message's middle record, damaged
# (its block fails its checksum), is a gap of 1 record from seq 2
# before the trade at seq 4 (recorder(1)).  Nothing was printed for it:
# a reader of the output saw the message cut and the trade after it,
# and no loss.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
damaged_mid_message_hist

"$BIN/recorder" cat -v "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status" 65 "$?"
sed -n 1p "$T/got" >"$T/first"
assert_eq "the gap printed" '{"type":"gap","from":2,"lost":1}' \
    "$(cat "$T/first")"
sed -n 2p "$T/got" | grep -q '"type":"trade","venue":"sim","symbol":"BTC-USD","seq":4,' ||
    fail "the trade not after the gap: $(cat "$T/got")"
assert_eq "lines printed" 2 "$(wc -l <"$T/got" | tr -d ' ')"
grep -q "messages 1 gaps 1 partial 2 skipped 0" "$T/err" ||
    fail "not counted: $(cat "$T/err")"

# as a raw capture: a gap record, which collector replay tells its ring
"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err"
assert_eq "raw: exit status" 65 "$?"
"$BIN/collector" --ring "$RING.r" replay --speed max "$T/got.cap" 2>"$T/err" ||
    fail "replay of the raw output: exit $?: $(cat "$T/err")"
grep -q "got.cap: record 1: the recording lost 1 records from seq 2$" \
    "$T/err" || fail "raw: no gap record: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.r" --unlink
exit 0
