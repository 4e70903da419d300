#!/bin/sh
# t-recorder-dir-removed: a history directory removed under a running
# recorder (its open file with it) is not written on unsaid: the next
# block it writes finds its file gone, and the recorder stops with a line
# naming the file and exit status 74 (recorder(1)).  It kept writing
# blocks into the removed file, their data lost, until the hour's
# rotation.  Its queue, named for the directory that is gone, is removed
# (said), not left in /dev/shm where no later start would look; a
# recorder started on the directory made again records what the ring
# still holds: every seq from the block not written on.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 5 --rate 3000 \
    2>"$T/sim.err" &
SIM=$!
track $SIM
wait_for 10 test -e "/dev/shm/tickpipe.$RING" || fail "no ring"
rec_start first --flush 50 --block 64
has_file() { set -- "$H"/*/*.tph; [ -e "$1" ]; }
wait_for 10 has_file || fail "no history file: $(cat "$T/first.err")"
sleep 0.5
rm -rf "$H"
gone() { ! kill -0 "$RPID" 2>/dev/null; }
wait_for 10 gone || fail "the recorder goes on writing into a removed file"
wait "$RPID"
assert_eq "exit status" 74 "$?"
line=$(grep "removed while being written: block of [0-9]* records (seq [0-9]*\.\.[0-9]*) not written" "$T/first.err") ||
    fail "no clear error: $(cat "$T/first.err")"
kept=$(echo "$line" | sed 's/.*(seq \([0-9]*\)\.\..*/\1/')
grep -q "the history directory is gone: its queue (/dev/shm/tickpipe\.$RING\.recorder\..*) is removed" \
    "$T/first.err" || fail "the queue not said: $(cat "$T/first.err")"
set -- /dev/shm/tickpipe."$RING".recorder.*
[ ! -e "$1" ] || fail "queue left in /dev/shm: $*"
kill -TERM "$SIM"
wait "$SIM"

cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
rec_start second --flush 50 --block 64
rec_until second "$cursor"
"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err" ||
	fail "recorder cat: $(cat "$T/err")"
s=$($CAP seqs "$T/got.cap") || fail "seqs: $s"
[ "${s%% *}" -le "$kept" ] || fail "the new history starts at ${s%% *}, after $kept"
assert_eq "the new history's last seq" "$cursor" "$(echo "$s" | cut -d ' ' -f 2)"
exit 0
