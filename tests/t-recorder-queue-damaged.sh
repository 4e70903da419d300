#!/bin/sh
# t-recorder-queue-damaged: a recorder that finds its queue's shm object
# damaged (recorder(1), Crashes and restarts) says so and records the
# ring as if it had found none: it becomes ready, records every record,
# exits 0 and removes the object; it neither loops (a head that wraps
# past 2**64), nor fails on every start (a size or a block length that
# overflows, a block it cannot compress), nor says anything of a header
# left zero by a recorder killed while making it; and one refused
# because another holds the object leaves it be.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"

"$BIN/collector" --ring "$RING" sim --seed 3 --count 1000 --rate max \
    2>"$T/sim.err" || fail "collector sim: $(cat "$T/sim.err")"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')

# damaged CASE SAYS: the object damaged as CASE; the recorder says SAYS
# (or nothing of its queue if SAYS is empty)
damaged() {
	H=$T/h.$1
	mkdir "$H"
	obj=/dev/shm/tickpipe.$RING.recorder.tickpipe.$(printf '%x.%x' \
	    "$(stat -c %d "$H")" "$(stat -c %i "$H")")
	/usr/bin/python3 "$TESTS/history/qobj.py" "$obj" "$1" ||
		fail "$1: qobj.py"
	"$BIN/recorder" -d 3 --ring "$RING" --flush 50 "$H" 2>"$T/$1.err" \
	    3>"$T/$1.ready" &
	_p=$!
	track $_p
	wait_for 10 test -s "$T/$1.ready" ||
		fail "$1: not ready within 10 s: $(cat "$T/$1.err")"
	wait_for 10 recorded_up_to "$H" "$cursor" ||
		fail "$1: the ring not recorded: $(cat "$T/$1.err")"
	kill -TERM $_p
	wait $_p || fail "$1: exit $?: $(cat "$T/$1.err")"
	[ -e "$obj" ] && fail "$1: the object is left"
	if [ -n "$2" ]; then
		grep -q "$2" "$T/$1.err" || fail "$1: said: $(cat "$T/$1.err")"
	elif grep -q queue "$T/$1.err"; then
		fail "$1: said: $(cat "$T/$1.err")"
	fi
	s=$("$BIN/recorder" cat --format raw "$H" | $CAP seqs /dev/stdin) ||
		fail "$1: the history: $s"
	assert_eq "$1: the history's first, last seq, records" \
	    "1 $cursor $cursor" "$s"
}
damaged wrap "a damaged block: the rest of the queue is read again"
damaged qsize "not a queue this recorder can read (damaged?): made anew"
damaged plen "a damaged block: the rest of the queue is read again"
damaged zero ""
damaged magic "not a queue this recorder can read (damaged?): made anew"

# an object another recorder holds locked, still empty (it is starting):
# refused, and the object left as it is
H=$T/h.locked
mkdir "$H"
obj=/dev/shm/tickpipe.$RING.recorder.tickpipe.$(printf '%x.%x' \
    "$(stat -c %d "$H")" "$(stat -c %i "$H")")
: >"$obj"
flock -x "$obj" sleep 30 &
lpid=$!
track $lpid
sleep 0.2
"$BIN/recorder" --ring "$RING" "$H" 2>"$T/locked.err"
assert_eq "locked: exit status" 75 "$?"
[ -e "$obj" ] || fail "locked: the refused recorder removed the other's object"
kill $lpid
exit 0
