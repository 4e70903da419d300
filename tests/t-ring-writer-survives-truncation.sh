#!/bin/sh
# t-ring-writer-survives-truncation: another process truncates the ring
# (truncate -s 4096) while `collector sim --rate 20000` writes it and a
# shmreader, behind by a pipe's worth, reads it.  The collector keeps
# running: it recreates the ring (epoch 2, the sequence continued) and
# writes a status record saying so.  The reader follows it to the new
# object with one gap line covering exactly what it had not read, then
# reads new data; nothing is lost without a gap line, no process dies of
# a signal, and both exit 0 on SIGTERM.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"

"$BIN/collector" --ring "$RING" sim --rate 20000 2>"$T/c.err" &
cp=$!
track $cp
wait_for 10 test -e "$SHM" || fail "no ring: $(cat "$T/c.err")"

# the reader writes into a FIFO nobody drains yet: it blocks with records
# of the ring still unread, so the truncation takes some from it
mkfifo "$T/fifo"
"$BIN/shmreader" --ring "$RING" --from latest >"$T/fifo" 2>"$T/r.err" &
rp=$!
track $rp
exec 3<"$T/fifo"
IFS= read -r first <&3 || fail "shmreader printed nothing: $(cat "$T/r.err")"
sleep 1
truncate -s 4096 "$SHM"
printf '%s\n' "$first" >"$T/out"
cat <&3 >>"$T/out" &
track $!

wait_for 20 recreated_then_data truncation "$T/out" ||
    fail "no status record and new data: $(cat "$T/c.err" "$T/r.err")"
kill -0 $cp 2>/dev/null || fail "collector died: $(cat "$T/c.err")"
kill -0 $rp 2>/dev/null || fail "shmreader died: $(cat "$T/r.err")"
grep -q "recreated after truncation: the object is 4096 bytes" "$T/c.err" ||
    fail "collector said: $(cat "$T/c.err")"
grep -q "ring $RING was removed or replaced; reopening" "$T/r.err" ||
    fail "shmreader said: $(cat "$T/r.err")"
assert_eq "epoch of the recreated ring" 2 "$(stat_field "$RING" epoch)"
stopped_cleanly collector $cp
stopped_cleanly shmreader $rp
exec 3<&-

# exactly one gap, and every other jump in sequence is a whole message
sum=$("$BIN/tests/ringtool" seqcheck <"$T/out" 2>&1) ||
    fail "silent loss: $sum"
note "$sum"
case $sum in *" gaps 1 lost "[1-9]*) ;; *) fail "want one gap: $sum" ;; esac
exit 0
