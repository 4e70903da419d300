#!/bin/sh
# t-shmreader-gap-covers-cut-message: when a lap cuts a book message short
# (its first record read, the rest overwritten), the message is lost with
# the lapped records, and the gap line says so: it starts at the message's
# first record, so no message a reader never gets is left out of a gap
# line (tickpipe-json(5)).  Forged with ringtool put: a book message's
# first record, the reader stopped (SIGSTOP) once it holds it, then 200
# trades through a ring of 64, then the reader continued.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
RT=$BIN/tests/ringtool
[ -x "$RT" ] || fail "$RT not built"
mkfifo "$T/in"
"$RT" put "$RING" --capacity 64 <"$T/in" >"$T/put" 2>"$T/put.err" &
track $!
exec 4>"$T/in"
echo "type=2 flags=1 venue=1 symbol=BTC-USD ts=1 recv=1 vseq=1 nbids=1 level=100:0:1:0" >&4
"$BIN/shmreader" --ring "$RING" --from oldest >"$T/out" 2>"$T/err" 4>&- &
sp=$!
track $sp
sleep 1		# it has read the message's first record and waits for more
kill -STOP "$sp"
i=1
while [ $i -le 200 ]; do
	echo "type=1 venue=1 symbol=BTC-USD ts=$i recv=$i vseq=$i price=100 qty=1 side=1 tid=t$i"
	i=$((i + 1))
done >&4
exec 4>&-
wait_for 10 grep -q first "$T/put" || fail "ringtool put: $(cat "$T/put.err")"
kill -CONT "$sp"
wait_for 10 grep -q '"tid":"t200"' "$T/out" || fail "shmreader did not go on: $(cat "$T/err")"
gap=$(grep '"type":"gap"' "$T/out" | head -n 1)
[ -n "$gap" ] || fail "no gap line: the reader was not lapped"
# the lap leaves the reader at the ring's oldest record (shmreader(1)):
# it lost everything before it, the cut message's first record (seq 1) on
"$BIN/shmreader" --ring "$RING" --stat >"$T/stat" 2>"$T/err" ||
    fail "shmreader --stat: $(cat "$T/err")"
oldest=$(sed -n 's/^oldest: *\([0-9][0-9]*\)$/\1/p' "$T/stat")
[ -n "$oldest" ] && [ "$oldest" -gt 1 ] ||
    fail "--stat: no oldest sequence past 1: $(cat "$T/stat")"
first=$(grep -o '"seq":[0-9]*' "$T/out" | head -n 1 | cut -d: -f2)
assert_eq "first message after the gap: the ring's oldest" "$oldest" "$first"
assert_eq "gap line" "{\"type\":\"gap\",\"from\":1,\"lost\":$((oldest - 1))}" "$gap"
