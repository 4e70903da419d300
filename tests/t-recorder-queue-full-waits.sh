#!/bin/sh
# t-recorder-queue-full-waits: when the packed blocks waiting for the
# writer would take more than --queue bytes, the reader waits for the
# writer (counted as waits in the status line) and loses nothing: a
# recorder with a small queue, many small blocks and a slow level that
# drains a full ring writes every record, byte for byte, through a queue
# that wraps many times; so does one whose --queue is smaller than a
# block.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 262144 sim --count 100000 \
    --rate max 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap"

# record NAME OPTIONS...: records the ring into T/NAME until the last
# record is written, then stops it (the status line is in T/NAME.err)
record() {
	_d=$T/$1
	shift
	"$BIN/recorder" -v -d 3 --ring "$RING" --flush 20 "$@" "$_d" \
	    2>"$_d.err" 3>"$_d.ready" &
	RPID=$!
	track $RPID
	# ready: its SIGUSR1 handler is in place
	wait_for 10 test -s "$_d.ready" || fail "$_d: not ready: $(cat "$_d.err")"
	# shellcheck disable=SC2317 # called by wait_for
	written() {
		kill -USR1 "$RPID"
		sleep 0.05
		grep '^recorder: status:' "$_d.err" | tail -n 1 |
		    grep -q " last_seq $cursor "
	}
	wait_for 30 written || fail "$_d: not all written: $(tail -n 3 "$_d.err")"
	kill -TERM $RPID
	wait $RPID || fail "recorder $*: exit $?: $(cat "$_d.err")"
	"$BIN/recorder" cat --format raw "$_d" >"$_d.cap" 2>"$T/err" ||
	    fail "recorder cat: $(cat "$T/err")"
	cmp -s "$T/ring.cap" "$_d.cap" ||
	    fail "recorder $*: the history is not the ring's records"
}
# field NAME WORD: WORD's number in the last status line of T/NAME.err
field() {
	tail -n 1 "$T/$1.err" | sed -n "s/.* $2 \([0-9]*\) .*/\1/p"
}

# some 20 KB a block of 512 sim records: 15 fit in the queue
record small --queue 300K --block 512 --level 9
w=$(field small waits)
[ "${w:-0}" -gt 0 ] || fail "--queue 300K: the reader never waited (waits '$w')"
peak=$(field small queue_peak)
if [ "${peak:-0}" -eq 0 ] || [ "$peak" -gt $((300 * 1024)) ]; then
	fail "--queue 300K: queue_peak '$peak'"
fi
# smaller than one block: each waits for the one before to be written
record tiny --queue 4K --level 9
w=$(field tiny waits)
[ "${w:-0}" -gt 0 ] || fail "--queue 4K: the reader never waited (waits '$w')"
exit 0
