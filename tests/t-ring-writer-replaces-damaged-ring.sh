#!/bin/sh
# t-ring-writer-replaces-damaged-ring: a collector that starts on a ring
# no writer holds and that is damaged replaces it instead of exiting 78
# for ever: one truncated under its header (the sequence and epoch go on,
# and a status record says so), an empty one (a creation that died), and
# garbage under the shm name.  What is not merely damaged is left alone,
# exit 78: another build's ring, a file that is not a ring, a FIFO (even
# with --recreate), a recorder's queue, and another user's ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"
first_seq() {
	"$BIN/shmreader" --ring "$RING" --no-follow --count 1 |
	    sed 's/.*"seq":\([0-9]*\),.*/\1/'
}
# collect WHY: the collector starts on the damaged ring and replaces it
collect() {
	"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 50 \
	    2>"$T/c.err" || fail "$1: collector exit $?: $(cat "$T/c.err")"
	grep -q "replaced damaged ring $RING: " "$T/c.err" ||
	    fail "$1: collector said: $(cat "$T/c.err")"
	note "$1: $(cat "$T/c.err")"
	assert_eq "$1: size" $((4096 + 1024 * 256)) "$(wc -c <"$SHM" | tr -d ' ')"
}

"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 300 \
    2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
last=$(stat_field "$RING" seq)
truncate -s 4096 "$SHM"
collect "truncated"
assert_eq "truncated: first new seq" $((last + 1)) "$(first_seq)"
assert_eq "truncated: epoch" 2 "$(stat_field "$RING" epoch)"
"$BIN/shmreader" --ring "$RING" --no-follow --type status >"$T/st"
grep -q '"reason":"ring recreated: replaced damaged ring .*size: expected' \
    "$T/st" || fail "no status record: $(cat "$T/st")"

: >"$SHM"
collect "empty"
assert_eq "empty: first new seq" 1 "$(first_seq)"

head -c 8192 /dev/urandom >"$SHM"
collect "garbage"
assert_eq "garbage: epoch" 1 "$(stat_field "$RING" epoch)"

# refused ONE: the collector must exit 78 and leave the object as it was
refused() {
	cksum <"$2" >"$T/before"
	"$BIN/collector" --ring "$2" sim --count 5 2>"$T/c.err"
	assert_eq "$1: collector exit status" 78 "$?"
	cksum <"$2" | cmp -s - "$T/before" || fail "$1: the object was touched"
	note "$1: $(cat "$T/c.err")"
}
"$BIN/tests/ringtool" set "$SHM" version 9 || fail "set version"
truncate -s 8192 "$SHM"
refused "another build's ring" "$SHM"
grep -q "not compatible: version: expected 1, found 9" "$T/c.err" ||
    fail "version: $(cat "$T/c.err")"
echo "not a ring" >"$T/notes.txt"
refused "a file that is not a ring" "$T/notes.txt"
# a FIFO (empty, as a creation that died would leave a ring) is no file:
# left, even with --recreate; a device node would be the same
mkfifo "$T/fifo"
for r in "" --recreate; do
	# shellcheck disable=SC2086
	"$BIN/collector" --ring "$T/fifo" $r sim --count 5 2>"$T/c.err"
	assert_eq "a FIFO $r: collector exit status" 78 "$?"
	[ -p "$T/fifo" ] || fail "a FIFO $r: replaced: $(cat "$T/c.err")"
	grep -q "is not a regular file: not replaced" "$T/c.err" ||
	    fail "a FIFO $r: $(cat "$T/c.err")"
done
# a recorder's queue under its shm name ("TPRECQ1", the rest as a live
# one's would be): tickpipe's, not a damaged ring (it was replaced)
Q=/dev/shm/tickpipe.$RING.recorder.q
{ printf 'TPRECQ1\000'; head -c 65528 /dev/zero; } >"$Q"
cksum <"$Q" >"$T/before"
"$BIN/collector" --ring "$RING.recorder.q" sim --count 5 2>"$T/c.err"
assert_eq "a recorder's queue: collector exit status" 78 "$?"
cksum <"$Q" | cmp -s - "$T/before" || fail "a recorder's queue was touched"
rm -f "$Q"
if [ "$(id -u)" = 0 ]; then
	rm -f "$SHM"
	: >"$SHM"
	chown 54321 "$SHM"
	refused "another user's ring" "$SHM"
	grep -q "belongs to uid 54321: not replaced" "$T/c.err" ||
	    fail "another user's: $(cat "$T/c.err")"
else
	note "another user's ring: not checked (needs root to make one)"
fi
exit 0
