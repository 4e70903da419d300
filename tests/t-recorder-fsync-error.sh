#!/bin/sh
# t-recorder-fsync-error: a history file that cannot be synced when it is
# closed (fsync fails, as when the kernel could not write its pages back:
# a disk error, ENOSPC on thin or network storage) is a write error, not
# a warning (recorder(1) EXIT STATUS): stopped by SIGTERM, the recorder
# names the file and exits 74; a file closed to rotate stops it at once,
# exit 74, with what it had not written kept in its queue, which the next
# start writes first: the whole ring recorded, each record once.  The
# fault comes from tests/faults/fsyncfail.c, preloaded.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
SO=$BIN/tests/fsyncfail.so
[ -f "$SO" ] || fail "$SO not built"
# a sanitizer build's runtime must not be first: the library is plain
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 4 --rate max \
    --count 20000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
last=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
[ -n "$last" ] || fail "no seq in shmreader --stat: $("$BIN/shmreader" --ring "$RING" --stat)"

# the file closed at the end: SIGTERM
LD_PRELOAD=$SO TP_FSYNC_FAIL=.tph "$BIN/recorder" --ring "$RING" \
    --flush 50 --name a "$T/h1" 2>"$T/a.err" &
rp=$!
track $rp
wait_for 20 recorded_up_to "$T/h1" "$last" ||
    fail "recorder did not record up to $last: $(tail -n 3 "$T/a.err")"
kill -TERM $rp
wait_pid 10 $rp recorder
rc=$?
assert_eq "exit status after a failed fsync at SIGTERM" 74 "$rc"
grep -q "h1/.*\.tph: fsync: the blocks written to it may not be on disk: Input/output error" "$T/a.err" ||
    fail "the fsync failure not said: $(cat "$T/a.err")"
grep -q "write error: stopping" "$T/a.err" || fail "no stop line: $(cat "$T/a.err")"

# a file closed to rotate (--max-size): the recorder stops by itself
LD_PRELOAD=$SO TP_FSYNC_FAIL=.tph "$BIN/recorder" --ring "$RING" \
    --flush 50 --block 256 --max-size 64K --name b "$T/h2" 2>"$T/b.err" &
rp=$!
track $rp
wait_pid 20 $rp "recorder with a failing fsync at rotation"
rc=$?
assert_eq "exit status after a failed fsync at rotation" 74 "$rc"
grep -q "h2/.*\.tph: fsync: the blocks written to it may not be on disk" "$T/b.err" ||
    fail "the fsync failure not said: $(cat "$T/b.err")"
grep -q "records not written are kept in the queue" "$T/b.err" ||
    fail "the queue not kept: $(cat "$T/b.err")"
# the next start, the fault gone: the queue first, then the ring
"$BIN/recorder" --ring "$RING" --flush 50 --block 256 --max-size 64K \
    --name b "$T/h2" 2>"$T/b2.err" &
rp=$!
track $rp
wait_for 20 recorded_up_to "$T/h2" "$last" ||
    fail "the restarted recorder did not record up to $last: $(tail -n 3 "$T/b2.err")"
kill -TERM $rp
wait_pid 10 $rp recorder || fail "the restarted recorder exited $?: $(cat "$T/b2.err")"
"$BIN/recorder" cat --format raw "$T/h2" >"$T/got.cap" 2>"$T/err" ||
    fail "recorder cat: $(cat "$T/err")"
s=$($CAP seqs "$T/got.cap") || fail "seqs not continuous: $s"
assert_eq "records recorded, first, last and count" "1 $last $last" "$s"
n=0
for f in "$T"/h2/*/*.tph; do [ -e "$f" ] && n=$((n + 1)); done
note "rotation: $(grep -c fsync "$T/b.err") fsync failure said; $n files after the restart"
