#!/bin/sh
# t-ring-reader-new-ring-loss: a reader behind (its output pipe full) on
# a ring no writer holds; the object is truncated to 0 and a new
# collector makes a new ring from sequence 1 (tickpipe-ring(5), "Writer
# recovery").  The old object's header is gone with the truncation, yet
# the records of it the reader did not read are not lost silently: the
# gap line counts them up to the highest cursor the reader saw (here the
# whole old ring, as it saw it when it started), and stderr says the
# count is a lower bound.  Before, the gap was of 0: no line at all.
# The gap line says a new ring begins ("new_ring":true): seq starts
# again.  So does one of 0 records, when the reader had read the old
# ring to its end and the ring was removed (tickpipe-json(5)).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 65536 sim --rate max --count 30000 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
end=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
mkfifo "$T/fifo"
"$BIN/shmreader" --ring "$RING" >"$T/fifo" 2>"$T/r.err" &
rp=$!
track $rp
exec 3<"$T/fifo"
IFS= read -r first <&3 || fail "shmreader printed nothing: $(cat "$T/r.err")"
sleep 0.5		# it has filled the pipe and waits to write
truncate -s 0 "$SHM"
"$BIN/collector" --ring "$RING" --capacity 65536 sim --count 100 2>"$T/c2.err" ||
    fail "second collector: $(cat "$T/c2.err")"
printf '%s\n' "$first" >"$T/out"
cat <&3 >>"$T/out" &
track $!
wait_for 20 grep -q '"type":"gap"' "$T/out" ||
    fail "no gap line: $(cat "$T/r.err")"
kill -TERM $rp
wait $rp
exec 3<&-
gap=$(grep '"type":"gap"' "$T/out")
from=$(echo "$gap" | sed 's/.*"from":\([0-9]*\).*/\1/')
lost=$(echo "$gap" | sed 's/.*"lost":\([0-9]*\).*/\1/')
last=$(grep -v '"type":"gap"' "$T/out" | awk -v f="$from" '{
	s = $0; sub(/.*"seq":/, "", s); sub(/[^0-9].*/, "", s)
	if (s + 0 < f + 0) m = s } END { print m }')
note "old ring to seq $end; read to $last; gap $gap"
# (a book message of several records has the seq of its first)
[ "$from" -gt "$last" ] || fail "the gap from $from, and a message at $last read"
assert_eq "the gap's last sequence: the old ring's end" "$end" $((from + lost - 1))
grep -q "lost at least" "$T/r.err" || fail "stderr: $(cat "$T/r.err")"
case $gap in *'"new_ring":true}') ;; *) fail "the gap line does not say a new ring begins: $gap" ;; esac

# the old ring read to its end, removed, a new one made: nothing lost,
# and the gap line says the sequence starts again
R2=$RING.two
"$BIN/collector" --ring "$R2" sim --count 50 2>"$T/c3.err" || fail "collector: $(cat "$T/c3.err")"
end=$("$BIN/shmreader" --ring "$R2" --stat | sed -n 's/^seq: //p')
"$BIN/shmreader" --ring "$R2" >"$T/out2" 2>"$T/r2.err" &
rp=$!
track $rp
wait_for 10 grep -q "\"seq\":$end," "$T/out2" || fail "the reader did not read to the end"
"$BIN/shmreader" --ring "$R2" --unlink || fail "--unlink"
"$BIN/collector" --ring "$R2" sim --count 20 2>"$T/c4.err" || fail "collector: $(cat "$T/c4.err")"
wait_for 20 grep -q '"type":"gap"' "$T/out2" || fail "no gap line: $(cat "$T/r2.err")"
kill -TERM $rp
wait $rp
"$BIN/shmreader" --ring "$R2" --unlink
assert_eq "gap line" "{\"type\":\"gap\",\"from\":$((end + 1)),\"lost\":0,\"new_ring\":true}" \
    "$(grep '"type":"gap"' "$T/out2")"
exit 0
