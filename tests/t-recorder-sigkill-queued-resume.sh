#!/bin/sh
# shellcheck disable=SC2154,SC2034 # ring_seq, queued, written, H: hist.sh's
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
burst 9 150000 "$T/ring.cap"
cursor=$ring_seq

# a writer far slower than the reader: small blocks at zstd's slowest
# level, at the lowest priority
rec_start rec1 --block 256 --level 19 --writer-nice 19
# shellcheck disable=SC2317 # called by wait_for
all_read() {
	rec_status
	[ "$(rec_field rec1 records)" = "$cursor" ]
}
wait_for 10 all_read || fail "the reader did not read the ring: $(tail -n 1 "$T/rec1.err")"
rec_killed rec1

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
rec_start rec2 --flush 50
rec_until rec2 "$cursor"
grep -q "lost" "$T/rec2.err" && fail "restart: a gap: $(cat "$T/rec2.err")"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
	fail "recorder cat: $(cat "$T/err")"
s=$($CAP seqs "$T/all.cap") || fail "history has duplicates or holes: $s"
assert_eq "history: first, last seq, records" "1 $cursor $cursor" "$s"
cmp -s "$T/ring.cap" "$T/all.cap" || fail "history differs from the ring"
exit 0
