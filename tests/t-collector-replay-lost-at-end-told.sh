#!/bin/sh
# t-collector-replay-lost-at-end-told: records a history lacks at its
# end, after which no record comes, are told to the readers of the
# replayed ring at the end of the replay, as a gap's are, from the seq
# after the last record read: "replay: the recording lost 2 records from
# seq 3; ..." for a last block damaged (its index tells its sequences),
# "replay: the recording lost records from seq 3 at its end, how many
# unknown; ..." for a last file cut short (collector(1)).  They were said
# on standard error and in the exit status only: a reader of the ring
# read on as if it had everything.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
R=$RING.r
# a book message at seq 1..3 in three blocks, a trade at seq 4 in the
# third; the middle block made whole again, the third damaged
damaged_mid_message_hist
f=$(ls "$H"/*/*.tph)
b=$($CAP blocks "$f.idx" | sed -n 2p)
$CAP flip "$f" $((${b%% *} + 64 + $(echo "$b" | cut -d ' ' -f 2) / 2))
b=$($CAP blocks "$f.idx" | sed -n 3p)
cp "$f" "$T/good.tph"
$CAP flip "$f" $((${b%% *} + 64 + $(echo "$b" | cut -d ' ' -f 2) / 2))

# told TEST REASON: collector replay of $H exits 65 and its ring holds
# the status resync REASON for venue all, last
told() {
	"$BIN/collector" --ring "$R" replay --speed max "$H" 2>"$T/err"
	assert_eq "$1: exit status" 65 "$?"
	"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
	    fail "$1: shmreader: exit $?: $(cat "$T/rerr")"
	"$BIN/shmreader" --ring "$R" --unlink
	tail -n 1 "$T/got" | grep -q "\"type\":\"status\",\"venue\":\"all\",.*\"status\":\"resync\",\"reason\":\"$2\"" ||
	    fail "$1: not told to the ring: $(cat "$T/got")"
}

told "last block damaged" \
    "replay: the recording lost 2 records from seq 3; books wait for a snapshot"
grep -q "checksum mismatch, 2 records skipped" "$T/err" ||
    fail "the damage not said: $(cat "$T/err")"

# the file cut at the third block's edge: its index tells it was longer
head -c "${b%% *}" "$T/good.tph" >"$f"
told "last file cut short" \
    "replay: the recording lost records from seq 3 at its end, how many unknown; books wait for a snapshot"
grep -q "cut short, records missing from the history" "$T/err" ||
    fail "the cut not said: $(cat "$T/err")"
exit 0
