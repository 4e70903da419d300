#!/bin/sh
# t-recorder-open-message-cut-after-flush: a block is not written in the
# middle of a book message, past --flush, but only for a second more: a
# message whose writer published its START and stalls is cut, its block
# written at --flush + 1 s after its first record (not before; within a
# margin after) holding the START alone, and the rest starts the next
# block (recorder(1) DESCRIPTION).  `recorder cat` reads across the cut:
# it prints exactly what shmreader prints of the ring, the message whole
# once its LAST is recorded, and a message whose rest never comes (a
# trade before its LAST) dropped, said with -v.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
TOOL=$BIN/tests/ringtool
H=$T/hist
FLUSH=200	# ms
SLACK=3000	# ms: scheduling on a shared, loaded machine
now=$(date +%s%N)
BK="type=2 venue=1 symbol=BTC-USD ts=$now recv=$now nbids=1"
TR="type=1 venue=1 symbol=BTC-USD ts=$now recv=$now price=100 qty=1 side=1 tid=a"

# the writer stays open on a fifo: each line is published when written
mkfifo "$T/fifo"
"$TOOL" put "$RING" <"$T/fifo" >"$T/put" 2>&1 &
track $!
exec 3>"$T/fifo"
# shellcheck disable=SC2317 # called through wait_for
published() { od -A n -t u8 -j 64 -N 8 "$SHM" 2>/dev/null | grep -qw "$1"; }
"$BIN/recorder" --ring "$RING" --flush $FLUSH -d 4 "$H" 4>"$T/ready" \
    2>"$T/rec.err" &
r=$!
track $r
wait_for 10 test -s "$T/ready" || fail "recorder not ready: $(cat "$T/rec.err")"

# blocks: every block written under $H, one line each (tphblocks)
blocks() {
	for f in "$H"/*/*.tph; do
		[ ! -f "$f" ] || $CAP tphblocks "$f"
	done
}
# cut SEQ: the START of seq SEQ is published and stalls; its block is
# written alone, no sooner than --flush + 1 s after it
cut() {
	n=$(blocks | wc -l)
	t0=$(date +%s%N)
	echo "$BK level=100:0:1:0 flags=1" >&3
	until [ "$(blocks | wc -l)" -gt "$n" ]; do
		[ $(($(date +%s%N) - t0)) -lt $(((FLUSH + 1000 + SLACK) * 1000000)) ] ||
		    fail "seq $1: no block within $((FLUSH + 1000 + SLACK)) ms: $(cat "$T/rec.err")"
		sleep 0.02
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -ge $((FLUSH + 1000)) ] ||
	    fail "seq $1: block written $ms ms after the START, before --flush + 1 s"
	blocks | tail -n 1 | grep -q "^1 $1 $1 " ||
	    fail "seq $1: not the START alone: $(blocks | tail -n 1)"
	note "seq $1: the START's block written after $ms ms"
}
cut 1
echo "$BK level=99:0:1:0 flags=2" >&3
# shellcheck disable=SC2317 # called through wait_for
block_of() { blocks | grep -q "^1 $1 $1 "; }
wait_for 10 block_of 2 || fail "the LAST not written alone: $(blocks)"
cut 3
echo "$TR" >&3
wait_for 10 published 4 || fail "the trade was not published"
exec 3>&-
kill $r
wait_pid 10 $r recorder || fail "recorder: exit $?: $(cat "$T/rec.err")"

"$BIN/shmreader" --ring "$RING" --no-follow >"$T/live" 2>"$T/sr.err" ||
    fail "shmreader: exit $?: $(cat "$T/sr.err")"
"$BIN/recorder" cat -v "$H" >"$T/got" 2>"$T/err" ||
    fail "recorder cat: exit $?: $(cat "$T/err")"
assert_eq "lines printed" 2 "$(wc -l <"$T/got")"
grep -q '"seq":1,.*"bids":\[\["100","1"\],\["99","1"\]\]' "$T/got" ||
    fail "the message cut at seq 1 not printed whole: $(cat "$T/got")"
cmp -s "$T/live" "$T/got" ||
    fail "recorder cat printed $(cat "$T/got"), shmreader $(cat "$T/live")"
grep -q "book message at seq 3: no LAST before the trade record at seq 4: dropped" \
    "$T/err" || fail "the dropped message not said: $(cat "$T/err")"
grep -q "partial 1 " "$T/err" || fail "recorder cat -v: $(cat "$T/err")"
exit 0
