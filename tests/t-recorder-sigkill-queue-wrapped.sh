#!/bin/sh
# shellcheck disable=SC2154,SC2034 # ring_seq, queued, written, H: hist.sh's
# t-recorder-sigkill-queue-wrapped: as t-recorder-sigkill-queue-kept, with
# a queue so small (--queue 64K) that it has gone round many times and
# the reader waits for the writer: the recorder started after the kill
# writes the blocks the queue held, across its end, and the history is
# the ring's records up to the last of them, byte for byte, then one gap
# for what the ring overwrote while no recorder ran (recorder(1),
# Crashes and restarts).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

burst 9 150000 "$T/ring.cap"

rec_start rec1 --block 256 --level 19 --writer-nice 19 --queue 64K --flush 50
# shellcheck disable=SC2317 # called by wait_for
gone_round() {
	rec_status
	# 5,000 records packed are some 185 KB: the 64 KB queue went round
	[ "$(rec_field rec1 last_seq)" -gt 5000 ] &&
	    [ "$(rec_field rec1 queued)" -gt 0 ]
}
wait_for 60 gone_round || fail "the queue did not go round: $(tail -n 1 "$T/rec1.err")"
kill -KILL $RPID
wait $RPID 2>/dev/null
note "at the kill: $(tail -n 1 "$T/rec1.err" | cut -d ' ' -f 3-22)"

burst 10 300000
end=$ring_seq

rec_start rec2 --flush 50
last=$(sed -n 's/.*wrote [0-9]* records (seq [0-9]*\.\.\([0-9]*\)) that a recorder stopped left in its queue.*/\1/p' \
    "$T/rec2.err")
[ -n "$last" ] || fail "the restarted recorder wrote no queue: $(cat "$T/rec2.err")"
rec_until rec2 "$end"

queue_then_gap "$last" "$end"
note "the queue gave seq ..$last after the kill"
exit 0
