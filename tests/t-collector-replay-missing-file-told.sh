#!/bin/sh
# t-collector-replay-missing-file-told: a history file removed from the
# middle of a history (said, "records missing from the history", exit
# 65) costs its records, which `collector replay` tells the readers of
# its ring, the ring's sequences going on without a gap for them: a
# status resync per venue before the record after them, "replay: the
# recording lost N records from seq S; books wait for a snapshot"
# (collector(1)); it told them nothing.  The files of another --name in
# the same directory, read after the first's, lose nothing: nothing is
# told for them.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
record_sim_files "$H"
set -- "$H"/*/sim-*.tph
[ $# -ge 3 ] || fail "only $# files"
mid=$2
first=$($CAP tphblocks "$mid" | head -n 1 | cut -d ' ' -f 2)
last=$($CAP tphblocks "$mid" | tail -n 1 | cut -d ' ' -f 3)
rm "$mid" "$mid.idx"

"$BIN/collector" --ring "$RING.r" --capacity 65536 replay --speed max "$H" \
    2>"$T/err"
assert_eq "exit status" 65 "$?"
grep -q "records missing from the history" "$T/err" ||
    fail "not said: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.r" --no-follow --format raw >"$T/rep.cap" ||
    fail "shmreader"
"$BIN/shmreader" --ring "$RING.r" --unlink
$CAP told "$T/rep.cap" "$T/rep.untold" >"$T/told"
assert_eq "told to the ring" \
    "1 replay: the recording lost $((last - first + 1)) records from seq $first; books wait for a snapshot" \
    "$(cat "$T/told")"

# another --name's files beside the first's, whole
rm -r "$H"
record_sim_files "$H"
"$BIN/shmreader" --ring "$RING" --unlink
"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 5 --rate max \
    --count 300 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/recorder" --ring "$RING" --name zz --block 100 "$T/zz" 2>"$T/rec.err" &
ZPID=$!
track $ZPID
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
wait_for 10 recorded_up_to "$T/zz" "$cursor" ||
    fail "recorder zz did not reach seq $cursor"
kill -TERM $ZPID
wait $ZPID || fail "recorder zz: exit $?: $(cat "$T/rec.err")"
cp -R "$T/zz"/. "$H"
ls "$H"/*/zz-*.tph >/dev/null || fail "no zz files in $H"
"$BIN/collector" --ring "$RING.r" --capacity 65536 replay --speed max "$H" \
    2>"$T/err" || fail "two names: exit $?: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.r" --no-follow --format raw >"$T/rep.cap" ||
    fail "shmreader"
$CAP told "$T/rep.cap" "$T/rep.untold" >"$T/told"
assert_eq "two names: told to the ring" "" "$(cat "$T/told")"
exit 0
