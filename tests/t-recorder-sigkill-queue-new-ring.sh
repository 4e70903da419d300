#!/bin/sh
# shellcheck disable=SC2154,SC2034 # ring_seq, queued, written, H: hist.sh's
# t-recorder-sigkill-queue-new-ring: a recorder killed with SIGKILL while
# its queue holds blocks of two rings, the second made anew under it
# (its seq starting again at 1), few of them written: the restarted
# recorder writes every queued block the files lack, the new ring's
# too, so that the history holds both rings' records once each, with
# the new ring's gap between them (recorder(1), Crashes and restarts).
# It used to tell the blocks written by seq alone: the new ring's, lower
# than the last ring's, were taken for written and lost without a word.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

burst 9 20000
a=$ring_seq
# a writer far slower than the reader: one-record blocks at zstd's
# slowest level, at the lowest priority
rec_start rec1 --block 1 --level 19 --writer-nice 19
kill -STOP "$RPID"
"$BIN/shmreader" --ring "$RING" --unlink
burst 10 60000
b=$ring_seq
kill -CONT "$RPID"
cursor=$((a + b))
# shellcheck disable=SC2317 # called by wait_for
all_read() {
	rec_status
	[ "$(rec_field rec1 records)" -ge "$cursor" ] && [ "$(rec_field rec1 gaps)" = 1 ]
}
wait_for 20 all_read || fail "the reader did not read both rings ($a + $b + a gap): $(tail -n 1 "$T/rec1.err")"
rec_killed rec1
note "at the kill: $a + $b records read, $queued bytes queued, up to seq $written on disk"

rec_start rec2 --flush 50
rec_until rec2 "$b"
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
	fail "recorder cat: exit $?: $(cat "$T/err")"
n=$((($(wc -c <"$T/all.cap") - 64) / 256))
assert_eq "records in the history: both rings' and the new ring's gap" \
    "$((a + b + 1))" "$n"
"$BIN/recorder" cat --format jsonl "$H" 2>/dev/null | grep '"type":"gap"' >"$T/gaps"
assert_eq "the history's one gap" \
    "{\"type\":\"gap\",\"from\":$((a + 1)),\"lost\":0,\"new_ring\":true}" \
    "$(cat "$T/gaps")"
