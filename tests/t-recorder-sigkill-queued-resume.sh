#!/bin/sh
# t-recorder-sigkill-queued-resume: a recorder killed with SIGKILL while
# its writer is far behind (blocks read from the ring wait in the queue,
# not yet on disk): the files hold every block written before the kill
# and read cleanly, and a recorder restarted while the ring still holds
# everything writes what the queue held and reads the ring on, so that
# the history holds every record of the ring exactly once, byte for
# byte, with no gap (recorder(1), Crashes and restarts; with the ring
# overwritten meanwhile: t-recorder-sigkill-queue-kept).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

# a burst the ring holds whole
"$BIN/collector" --ring "$RING" --capacity 262144 sim --seed 9 --count 150000 \
    --rate max 2>"$T/sim.err" || fail "collector sim: $(cat "$T/sim.err")"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap" ||
	fail "shmreader"

# a writer far slower than the reader: small blocks at zstd's slowest
# level, at the lowest priority
"$BIN/recorder" -d 3 --ring "$RING" --block 256 --level 19 --writer-nice 19 \
    "$H" 2>"$T/rec1.err" 3>"$T/rec1.ready" &
RPID=$!
track $RPID
wait_for 10 test -s "$T/rec1.ready" || fail "not ready: $(cat "$T/rec1.err")"
# field WORD: WORD's number in the last status line
field() {
	grep '^recorder: status:' "$T/rec1.err" | tail -n 1 |
	    sed -n "s/.* $1 \([0-9]*\) .*/\1/p"
}
# shellcheck disable=SC2317 # called by wait_for
all_read() {
	kill -USR1 "$RPID"
	sleep 0.05
	[ "$(field records)" = "$cursor" ]
}
wait_for 10 all_read || fail "the reader did not read the ring: $(tail -n 1 "$T/rec1.err")"
kill -KILL $RPID
wait $RPID 2>/dev/null
queued=$(field queued)
written=$(field last_seq)
[ "${queued:-0}" -gt 0 ] || fail "nothing queued at the kill: $(tail -n 1 "$T/rec1.err")"
[ "${written:-0}" -lt "$cursor" ] ||
	fail "the writer had written everything before the kill"

# on disk: whole blocks from seq 1 on, the ring's records, fewer than read
"$BIN/recorder" cat --format raw "$H" >"$T/part.cap" 2>"$T/err" ||
	fail "recorder cat after SIGKILL: exit $?: $(cat "$T/err")"
grep -v "torn last block" "$T/err" >"$T/err2"
[ -s "$T/err2" ] && fail "recorder cat after SIGKILL said: $(cat "$T/err2")"
last=$cursor
if [ "$(wc -c <"$T/part.cap")" -gt 64 ]; then
	s=$($CAP seqs "$T/part.cap") || fail "after SIGKILL: seqs not continuous: $s"
	assert_eq "first seq on disk" 1 "$(echo "$s" | cut -d ' ' -f 1)"
	last=$(echo "$s" | cut -d ' ' -f 2)
	head -c "$(wc -c <"$T/part.cap")" "$T/ring.cap" | cmp -s - "$T/part.cap" ||
		fail "on disk after SIGKILL: not the ring's records"
else
	last=0
fi
[ "$last" -lt "$cursor" ] ||
	fail "on disk after SIGKILL: all $cursor records (nothing was lost with the queue)"
note "at the kill: $cursor read, $queued bytes queued, $last on disk"

# restarted while the ring still holds the rest: records it again
"$BIN/recorder" -d 3 --ring "$RING" --flush 50 "$H" 2>"$T/rec2.err" \
    3>"$T/rec2.ready" &
RPID=$!
track $RPID
wait_for 10 test -s "$T/rec2.ready" || fail "restart: not ready: $(cat "$T/rec2.err")"
wait_for 20 recorded_up_to "$H" "$cursor" ||
	fail "the restarted recorder did not reach seq $cursor: $(cat "$T/rec2.err")"
kill -TERM $RPID
wait $RPID || fail "restarted recorder: exit $?: $(cat "$T/rec2.err")"
grep -q "lost" "$T/rec2.err" && fail "restart: a gap: $(cat "$T/rec2.err")"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
	fail "recorder cat: $(cat "$T/err")"
s=$($CAP seqs "$T/all.cap") || fail "history has duplicates or holes: $s"
assert_eq "history: first, last seq, records" "1 $cursor $cursor" "$s"
cmp -s "$T/ring.cap" "$T/all.cap" || fail "history differs from the ring"
exit 0
