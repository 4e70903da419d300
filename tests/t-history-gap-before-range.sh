#!/bin/sh
# shellcheck disable=SC2154 # RPID, H: hist.sh's
# t-history-gap-before-range: a gap has the ts of the record before it,
# so one between two periods ends the earlier period's file, which a
# range from the later period skips by its index.  `recorder cat --from`
# prints it all the same when the record after it is in the range
# (recorder(1)), and `collector replay --from` says it; both used to
# leave it out without a word when its block was not read.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

h=1796220000000000000	# 2026-12-02T14:00Z
s=1000000000
for p in 1 2 3; do	# 13:59:51 to 13:59:53
	trade_line "$p" $((h - (10 - p) * s)) $((h - (10 - p) * s))
done >"$T/g1"
p=4
while [ $p -le 43 ]; do	# 14:00:20 on
	trade_line "$p" $((h + (p + 16) * s)) $((h + (p + 16) * s))
	p=$((p + 1))
done >"$T/g2"
"$BIN/collector" --ring "$RING" --capacity 16 jsonl --strict <"$T/g1" \
    2>"$T/err" || fail "collector: $(cat "$T/err")"
rec_start rec --flush 3600000
# shellcheck disable=SC2317 # called by wait_for
read_up_to() {
	rec_status
	[ "$(rec_field rec records)" = "$1" ] && [ "$(rec_field rec gaps)" = "$2" ]
}
wait_for 10 read_up_to 3 0 || fail "the first 3 not read: $(tail -n 1 "$T/rec.err")"
# the ring of 16 laps the recorder held still: 24 of the 40 lost
kill -STOP "$RPID"
"$BIN/collector" --ring "$RING" jsonl --strict <"$T/g2" 2>"$T/err" ||
    fail "collector: $(cat "$T/err")"
kill -CONT "$RPID"
wait_for 10 read_up_to 19 1 || fail "the gap and 16 not read: $(tail -n 1 "$T/rec.err")"
kill -TERM "$RPID"
wait "$RPID" || fail "recorder: exit $?: $(cat "$T/rec.err")"
gap='{"type":"gap","from":4,"lost":24}'
[ "$(ls "$H"/*/*.tph | wc -l)" = 2 ] || fail "not two files: $(ls "$H"/*)"
"$BIN/recorder" cat "$H" >"$T/all" 2>"$T/err" || fail "cat: $(cat "$T/err")"
assert_eq "the whole history's gap" "$gap" "$(grep '"gap"' "$T/all")"

"$BIN/recorder" cat --from 2026-12-02T14:00Z "$H" >"$T/got" 2>"$T/err" ||
    fail "cat --from: exit $?: $(cat "$T/err")"
assert_eq "cat --from 14:00: its first line" "$gap" "$(head -n 1 "$T/got")"
assert_eq "cat --from 14:00: lines" 17 "$(wc -l <"$T/got")"
# a range that begins after the record after the gap: not the gap's
"$BIN/recorder" cat --from 2026-12-02T14:00:45Z "$H" >"$T/got" 2>"$T/err" ||
    fail "cat --from 14:00:45: exit $?: $(cat "$T/err")"
! grep -q '"gap"' "$T/got" || fail "cat --from 14:00:45: the gap printed"

"$BIN/collector" --ring "$RING.r" replay --speed max \
    --from 2026-12-02T14:00Z "$H" 2>"$T/rep.err" ||
    fail "replay --from: exit $?: $(cat "$T/rep.err")"
"$BIN/shmreader" --ring "$RING.r" --unlink
grep -q "the recording lost 24 records from seq 4" "$T/rep.err" ||
    fail "replay --from 14:00: the gap not said: $(cat "$T/rep.err")"
"$BIN/collector" --ring "$RING.r" replay --speed max \
    --from 2026-12-02T14:00:45Z "$H" 2>"$T/rep.err" ||
    fail "replay --from 14:00:45: exit $?: $(cat "$T/rep.err")"
"$BIN/shmreader" --ring "$RING.r" --unlink
! grep -q "the recording lost" "$T/rep.err" ||
    fail "replay --from 14:00:45: a gap said: $(cat "$T/rep.err")"
