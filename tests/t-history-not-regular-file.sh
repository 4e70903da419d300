#!/bin/sh
# t-history-not-regular-file: what is neither a regular file nor a
# directory is never opened as history, so never waited on for a writer
# (a FIFO) nor read for ever (a device).  Named as the path of `recorder
# cat` or `collector replay`, it is refused, "PATH: not a regular file nor
# a directory", exit 66, no ring made (recorder(1), collector(1)); under
# a history file's name in a history, it is a file that cannot be read,
# as a link in a loop is (t-history-link-loop-skipped): said, "(file
# skipped)", exit 65, the files after it read; as a file's sidecar
# (FILE.idx), it is no sidecar: the file's blocks are scanned.  A
# recorder restarted there says the FIFO and resumes after the last
# record.  A FIFO hung cat, replay and the restarted recorder for ever
# in open(2): every command here has a time limit.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

# limited CMD...: CMD, ended after 10 s (exit 124: it waited on a FIFO)
limited() { timeout -k 2 10 "$@"; }

hour_trades 1 3 >"$T/lines"
record_lines 3 --block 1 --max-size 1
limited "$BIN/recorder" cat "$H" >"$T/whole" 2>"$T/err" ||
    fail "cat of the whole history: exit $?: $(cat "$T/err")"

# as the path given
mkfifo "$T/fifo"
for p in "$T/fifo" /dev/zero; do
	limited "$BIN/recorder" cat "$p" >"$T/got" 2>"$T/err"
	assert_eq "cat $p: exit status" 66 "$?"
	assert_eq "cat $p: stderr" \
	    "recorder: $p: not a regular file nor a directory" "$(cat "$T/err")"
	[ ! -s "$T/got" ] || fail "cat $p printed: $(head -c 200 "$T/got")"
	limited "$BIN/collector" --ring "$RING.r" replay --speed max "$p" \
	    2>"$T/err"
	assert_eq "replay $p: exit status" 66 "$?"
	assert_eq "replay $p: stderr" \
	    "collector: $p: not a regular file nor a directory" \
	    "$(cat "$T/err")"
	[ ! -e "/dev/shm/tickpipe.$RING.r" ] ||
	    fail "replay $p: the ring was made"
done

# in the history: a FIFO under the name of the recorder's next file, and
# one as the sidecar of its newest
day=$H/2026-12-02
fifo=$day/tickpipe-2026-12-02T14.0004.tph
[ -f "$day/tickpipe-2026-12-02T14.0003.tph" ] ||
    fail "no third file: $(ls "$day")"
mkfifo "$fifo"
rm -f "$day/tickpipe-2026-12-02T14.0003.tph.idx"
mkfifo "$day/tickpipe-2026-12-02T14.0003.tph.idx"

limited "$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "cat: exit status" 65 "$?"
assert_eq "cat: stderr" "recorder: $fifo: not a regular file (file skipped)" \
    "$(cat "$T/err")"
cmp -s "$T/whole" "$T/got" ||
    fail "cat: $(wc -l <"$T/got") lines, not the history's $(wc -l <"$T/whole")"

replay_skips_one "^collector: $fifo: not a regular file (file skipped)$" limited

# the ring goes on to seq 6; a recorder restarted takes up at seq 4
"$BIN/recorder" -d 3 --ring "$RING" --flush 20 --block 1 --max-size 1 "$H" \
    2>"$T/rec.err" 3>"$T/rec.ready" &
rp=$!
track $rp
wait_for 10 test -s "$T/rec.ready" ||
    fail "the recorder restarted is not ready: $(cat "$T/rec.err")"
grep -q "^recorder: $fifo: not a regular file (skipped)$" "$T/rec.err" ||
    fail "the recorder did not say the FIFO: $(cat "$T/rec.err")"
hour_trades 4 6 | "$BIN/collector" --ring "$RING" jsonl --strict \
    2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
# up_to SEQ: the history read (within 10 s) ends with record SEQ
up_to() {
	_s=$(limited "$BIN/recorder" cat --format raw "$H" 2>/dev/null |
	    $CAP seqs /dev/stdin)
	[ "$(echo "$_s" | cut -d ' ' -f 2)" = "$1" ]
}
wait_for 20 up_to 6 || fail "not recorded up to seq 6: $(cat "$T/rec.err")"
kill -TERM $rp
wait_pid 10 $rp recorder || fail "recorder: exit $?: $(cat "$T/rec.err")"
[ -p "$fifo" ] || fail "the FIFO in the history is gone"
limited "$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>/dev/null
assert_eq "seqs after the restart (each once)" "1 6 6" \
    "$($CAP seqs "$T/all.cap")"
exit 0
