#!/bin/sh
# t-recorder-sigkill-resume: a recorder killed with SIGKILL while it fills
# a block leaves files that read cleanly up to its last flushed block; a
# file whose last block was cut short (a kill mid-write) reads up to
# there and says so; a restarted recorder starts a new file and continues
# after the last recorded seq, so that the history holds every record of
# the ring once, in order, byte for byte.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 5 --rate 2000 \
    2>"$T/sim.err" &
CPID=$!
track $CPID
"$BIN/recorder" --ring "$RING" --flush 100 "$H" 2>"$T/rec1.err" &
RPID=$!
track $RPID
sleep 1.5
kill -KILL $RPID
wait $RPID 2>/dev/null

# what the killed recorder left reads cleanly, and is what the ring holds
"$BIN/recorder" cat --format raw "$H" >"$T/part.cap" 2>"$T/err" ||
    fail "recorder cat after SIGKILL: exit $?: $(cat "$T/err")"
[ -s "$T/err" ] && fail "recorder cat after SIGKILL said: $(cat "$T/err")"
s=$($CAP seqs "$T/part.cap") || fail "after SIGKILL: seqs not continuous: $s"
first=$(echo "$s" | cut -d ' ' -f 1)
last=$(echo "$s" | cut -d ' ' -f 2)
assert_eq "first recorded seq" 1 "$first"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap" ||
    fail "shmreader"
head -c $((64 + last * 256)) "$T/ring.cap" | cmp - "$T/part.cap" ||
    fail "records 1..$last differ from the ring's"
ls "$H"/*/*.idx >/dev/null 2>&1 && fail "an index sidecar after SIGKILL"

# a kill mid-write: the last block cut short
f=$(ls "$H"/*/*.tph)
size=$(wc -c <"$f")
truncate -s $((size - 30)) "$f"
"$BIN/recorder" cat --format raw "$H" >"$T/torn.cap" 2>"$T/err" ||
    fail "recorder cat of a torn file: exit $?: $(cat "$T/err")"
grep -q "torn last block at offset" "$T/err" ||
    fail "torn last block not said: $(cat "$T/err")"
s=$($CAP seqs "$T/torn.cap") || fail "torn file: seqs not continuous: $s"
tlast=$(echo "$s" | cut -d ' ' -f 2)
[ "$tlast" -lt "$last" ] || fail "torn file: last seq $tlast, not below $last"
head -c "$(wc -c <"$T/torn.cap")" "$T/ring.cap" | cmp - "$T/torn.cap" ||
    fail "torn file: records differ from the ring's"

# restart: a new file, from the seq after the last whole block
"$BIN/recorder" --ring "$RING" --flush 100 "$H" 2>"$T/rec2.err" &
RPID=$!
track $RPID
sleep 0.5
kill -TERM $CPID
wait $CPID
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
wait_for 10 recorded_up_to "$H" "$cursor" || fail "the restarted recorder did not reach seq $cursor"
kill -TERM $RPID
wait $RPID
assert_eq "restarted recorder exit status" 0 "$?"
grep -q "torn block" "$T/rec2.err" || fail "restart: torn file not said: $(cat "$T/rec2.err")"
assert_eq "files" 2 "$(ls "$H"/*/*.tph | wc -l | tr -d ' ')"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err"
s=$($CAP seqs "$T/all.cap") || fail "history has duplicates or holes: $s"
assert_eq "history" "1 $cursor $cursor" "$s"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap"
cmp "$T/ring.cap" "$T/all.cap" || fail "history differs from the ring"
exit 0
