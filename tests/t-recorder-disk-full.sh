#!/bin/sh
# t-recorder-disk-full: a recorder whose disk fills (a 128 KiB tmpfs in a
# private mount namespace) stops with a line naming the file and the
# block not written, a status line, and exit status 73; what it wrote
# before reads back whole (no torn or damaged block) and equals the
# ring's records.  What it had read but not written stays in its queue's
# shm object.  Restarted on the full disk, it fails the same way and
# damages nothing; restarted once there is room, it writes the queue
# first and records the rest: the whole ring, each record once.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
M=$T/mnt
mkdir "$M"
trap 'tp_cleanup_umount "$M"' EXIT
mount -t tmpfs -o size=128k tmpfs "$M" || skip "cannot mount a tmpfs"

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 9 --rate max \
    --count 30000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/recorder" --ring "$RING" --flush 50 --block 256 "$M/hist" \
    2>"$T/rec.err" &
RPID=$!
track $RPID
wait $RPID
assert_eq "recorder exit status on a full disk" 73 "$?"
grep -q "hist/.*\.tph: block of [0-9]* records (seq [0-9]*\.\.[0-9]*) not written; the file is whole up to offset [0-9]*: No space left on device" \
    "$T/rec.err" || fail "no clear error: $(cat "$T/rec.err")"
grep -q "disk full: stopping" "$T/rec.err" || fail "no stop line: $(cat "$T/rec.err")"
grep -q "records not written are kept in the queue (/dev/shm/tickpipe\.$RING\.recorder\.tickpipe\." \
    "$T/rec.err" || fail "the queue not kept: $(cat "$T/rec.err")"
grep -q "^recorder: status: records [0-9]" "$T/rec.err" ||
    fail "no status line: $(cat "$T/rec.err")"

check_history() {
	"$BIN/recorder" cat --format raw "$M/hist" >"$T/got.cap" 2>"$T/err" ||
		fail "$1: recorder cat: exit $?: $(cat "$T/err")"
	[ -s "$T/err" ] && fail "$1: recorder cat said: $(cat "$T/err")"
	s=$($CAP seqs "$T/got.cap") || fail "$1: seqs not continuous: $s"
	[ "$(echo "$s" | cut -d ' ' -f 3)" -gt 1000 ] ||
		fail "$1: only $s recorded before the disk filled"
	"$BIN/shmreader" --ring "$RING" --no-follow --format raw \
	    --from "$(echo "$s" | cut -d ' ' -f 1)" | head -c "$(wc -c <"$T/got.cap")" |
	    cmp - "$T/got.cap" || fail "$1: history differs from the ring"
	cp "$T/got.cap" "$T/$2.cap"
}
check_history "disk full" first

"$BIN/recorder" --ring "$RING" --flush 50 --block 256 "$M/hist" \
    2>"$T/rec.err" &
RPID=$!
track $RPID
wait $RPID
assert_eq "restarted on a full disk: exit status" 73 "$?"
grep -q "No space left on device" "$T/rec.err" ||
    fail "restart: no clear error: $(cat "$T/rec.err")"
check_history "restart on a full disk" second
cmp "$T/first.cap" "$T/second.cap" || fail "the restart changed the history"
grep -q "the queue /dev/shm/.* is kept for the next start" "$T/rec.err" ||
    fail "restart: the queue not kept: $(cat "$T/rec.err")"

# room again: the queue first, then the ring's rest, nothing twice
mount -o remount,size=64m "$M" || skip "cannot grow the tmpfs"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
# shellcheck disable=SC2034 # rec_start's
H=$M/hist
rec_start room --flush 50 --block 256
rec_until room "$cursor"
grep -q "wrote [0-9]* records (seq [0-9]*\.\.[0-9]*) that a recorder stopped left in its queue" \
    "$T/room.err" || fail "with room again: the queue not written: $(cat "$T/room.err")"
"$BIN/recorder" cat --format raw "$M/hist" >"$T/all.cap" 2>"$T/err" ||
	fail "with room again: recorder cat: $(cat "$T/err")"
s=$($CAP seqs "$T/all.cap") || fail "with room again: seqs: $s"
assert_eq "with room again: first, last seq, records" "1 $cursor $cursor" "$s"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw | cmp - "$T/all.cap" ||
	fail "with room again: the history differs from the ring"
exit 0
