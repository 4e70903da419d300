#!/bin/sh
# t-ring-writer-notices-removal: the ring is removed (rm of its
# /dev/shm name) while `collector sim --rate 20000` writes it.  Within a
# second the collector notices, puts a new object under the name (epoch 2,
# the sequence continued) and writes a status record saying so.  A reader
# started after the rm gets data from the new object; a reader that had
# the old one reads it to its end, follows the name to the new one, and
# misses nothing: every sequence accounted for, no gap needed.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"

"$BIN/collector" --ring "$RING" sim --rate 20000 2>"$T/c.err" &
cp=$!
track $cp
wait_for 10 test -e "$SHM" || fail "no ring: $(cat "$T/c.err")"
"$BIN/shmreader" --ring "$RING" --from latest >"$T/old" 2>"$T/old.err" &
op=$!
track $op
wait_for 10 test -s "$T/old" || fail "old reader: $(cat "$T/old.err")"

rm "$SHM"
t0=$(ms)
"$BIN/shmreader" --ring "$RING" --count 100 >"$T/late" 2>"$T/late.err" &
lp=$!
track $lp
while [ ! -e "$SHM" ] && [ $(($(ms) - t0)) -lt 5000 ]; do sleep 0.01; done
took=$(($(ms) - t0))
note "a new object under the name after $took ms"
[ -e "$SHM" ] || fail "no new object: $(cat "$T/c.err")"
[ "$took" -le 1000 ] || fail "the removal took $took ms to notice"

wait_for 10 sh -c "! kill -0 $lp" || fail "late reader waits: $(cat "$T/late.err")"
wait $lp
assert_eq "late reader exit status" 0 "$?"
assert_eq "late reader messages" 100 "$(wc -l <"$T/late" | tr -d ' ')"

wait_for 20 recreated_then_data removal "$T/old" ||
    fail "old reader: no status record and new data: $(cat "$T/old.err")"
grep -q "ring $RING was removed or replaced; reopening" "$T/old.err" ||
    fail "old reader said: $(cat "$T/old.err")"
assert_eq "epoch of the new object" 2 "$(stat_field "$RING" epoch)"
stopped_cleanly collector $cp
stopped_cleanly "old reader" $op
sum=$("$BIN/tests/ringtool" seqcheck <"$T/old" 2>&1) ||
    fail "old reader: silent loss: $sum"
note "old reader: $sum"
case $sum in *" gaps 0 lost 0 "*) ;; *) fail "old reader lost: $sum" ;; esac
exit 0
