#!/bin/sh
# t-shmreader-gap-covers-cut-message: when a lap cuts a book message short
# (its first record read, the rest overwritten), the message is lost with
# the lapped records, and the gap line says so: it starts at the message's
# first record, so no message a reader never gets is left out of a gap
# line (tickpipe-json(5)).  Forged with ringtool put: a book message's
# first record, the reader stopped (SIGSTOP) once it holds it, then 200
# trades through a ring of 64, then the reader continued.  Second, the
# other end: a lap that leaves the reader in the middle of a book
# message; the rest of it (two records, up to LAST) is lost with the
# gap, which takes them in: in raw output (shmreader --format raw) the
# gap record and the records after it leave no sequence out.
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

# the tail of a message: a trade read, the reader stopped, 200 trades, a
# book message of three records, 62 trades: the ring of 64 then holds
# the message's last two records first
R2=$RING.tail
mkfifo "$T/in2"
"$RT" put "$R2" --capacity 64 <"$T/in2" >"$T/put2" 2>"$T/put2.err" &
track $!
exec 4>"$T/in2"
trade() { echo "type=1 venue=1 symbol=BTC-USD ts=$1 recv=$1 vseq=$1 price=100 qty=1 side=1 tid=t$1"; }
trade 0 >&4
"$BIN/shmreader" --ring "$R2" --from oldest --format raw >"$T/raw" 2>"$T/err2" 4>&- &
sp=$!
track $sp
wait_for 10 test -s "$T/raw" || fail "shmreader printed nothing: $(cat "$T/err2")"
sleep 0.5
kill -STOP "$sp"
{
	i=1
	while [ $i -le 200 ]; do trade $i; i=$((i + 1)); done
	for f in 1 0 2; do
		echo "type=2 flags=$f venue=1 symbol=BTC-USD ts=300 recv=300 vseq=300 nbids=1 level=100:0:1:0"
	done
	i=301
	while [ $i -le 362 ]; do trade $i; i=$((i + 1)); done
} >&4
exec 4>&-
wait_for 10 grep -q first "$T/put2" || fail "ringtool put: $(cat "$T/put2.err")"
"$BIN/shmreader" --ring "$R2" --stat >"$T/stat2" 2>"$T/err2b" ||
    fail "shmreader --stat: $(cat "$T/err2b")"
oldest=$(sed -n 's/^oldest: *\([0-9][0-9]*\)$/\1/p' "$T/stat2")
assert_eq "the ring's oldest record: the book message's second" 203 "$oldest"
kill -CONT "$sp"
wait_for 10 eval '[ "$(wc -c <"$T/raw")" -ge $((64 + 256 * 63)) ]' ||
    fail "shmreader did not go on: $(cat "$T/err2")"
kill -TERM "$sp"
wait "$sp"
"$BIN/shmreader" --ring "$R2" --unlink 2>/dev/null
# the capture: a 64-byte head, then records; a gap is a record of type 0
# whose vseq is the first sequence lost and aux the number lost
sum=$(/usr/bin/python3 - "$T/raw" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()[64:]
want = None
for o in range(0, len(d) - 255, 256):
    seq, typ = struct.unpack_from("<QH", d, o)
    vseq, aux = struct.unpack_from("<QQ", d, o + 48)
    first, n = (vseq, aux) if typ == 0 else (seq, 1)
    if want is not None and first != want:
        print("seq %d after %d: %d left out" % (first, want - 1, first - want))
        sys.exit(1)
    want = first + n
print("records and gaps cover seq 1..%d" % (want - 1))
PY
) || fail "tail: $sum"
note "tail: $sum"
