#!/bin/sh
# shellcheck disable=SC2154,SC2034 # ring_seq, queued, written, H: hist.sh's
# t-recorder-sigkill-queue-kept: what a recorder killed with SIGKILL had
# read but not yet written (its queue, far behind) outlives it in the
# queue's shm object, and the next recorder started writes it first, so
# that a SIGKILL loses at most the block being filled even when the ring
# no longer holds what the queue held (recorder(1), Crashes and
# restarts): the history holds every record read before the kill, byte
# for byte, then a gap for what the ring overwrote while no recorder ran.
# The kill comes as soon as all is read, before the slow writer catches
# up (a second recorder meanwhile: t-recorder-second-refused).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

# a burst the ring holds whole
burst 9 150000 "$T/ring.cap"
cursor=$ring_seq

# a writer far slower than the reader (small blocks, zstd's slowest level,
# the lowest priority); the last block handed over 50 ms after it began
rec_start rec1 --block 256 --level 19 --writer-nice 19 --flush 50
# shellcheck disable=SC2317 # called by wait_for
all_read() {
	rec_status
	[ "$(rec_field rec1 records)" = "$cursor" ]
}
wait_for 10 all_read || fail "the reader did not read the ring: $(tail -n 1 "$T/rec1.err")"
sleep 0.3	# the last block, past --flush, into the queue

rec_status
rec_killed rec1
ls /dev/shm/tickpipe."$RING".recorder.tickpipe.* >/dev/null 2>&1 ||
	fail "no queue object in /dev/shm after the kill"
note "at the kill: $cursor read, $queued bytes queued, $written on disk"

# meanwhile the ring's writer goes on and overwrites all of it
burst 10 300000
end=$ring_seq
[ $((end - BURST_CAP)) -gt "$cursor" ] ||
	fail "the ring still holds seq $((cursor + 1)) (last $end)"

# the next recorder writes the queue first, then the ring from its oldest
rec_start rec2 --flush 50
grep -q "wrote [0-9]* records (seq [0-9]*\.\.$cursor) that a recorder stopped left in its queue" \
    "$T/rec2.err" || fail "the restarted recorder said: $(cat "$T/rec2.err")"
rec_until rec2 "$end"
ls /dev/shm/tickpipe."$RING".recorder.* >/dev/null 2>&1 &&
	fail "the queue object is left after a clean exit"

queue_then_gap "$cursor" "$end"
exit 0
