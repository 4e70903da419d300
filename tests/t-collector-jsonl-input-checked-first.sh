#!/bin/sh
# t-collector-jsonl-input-checked-first: the file `collector jsonl` reads
# is checked before the ring is opened (collector(1)): a directory, or a
# file that does not exist, is refused with exit status 66 and one line on
# stderr, makes no ring and leaves an existing ring's epoch as it was.
# "-" is standard input.  A directory made the ring (or raised its epoch)
# and then failed, 74, "read: Is a directory"; "-" was a file, "-: No
# such file or directory".
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
L='{"type":"status","venue":"sim","ts":1,"recv":2,"status":"info"}'

# refused WHAT MESSAGE ARG: collector jsonl ARG exits 66 with MESSAGE, one
# line on stderr; with ring_there unset, no ring $RING is made
ring_there=''
refused() {
	timeout 10 "$BIN/collector" --ring "$RING" jsonl "$3" 2>"$T/err" \
	    </dev/null
	_rc=$?
	[ -n "$ring_there" ] || [ ! -e "/dev/shm/tickpipe.$RING" ] ||
	    fail "$1: the ring was made (exit $_rc): $(cat "$T/err")"
	assert_eq "$1: exit status" 66 "$_rc"
	assert_eq "$1: lines on stderr" 1 "$(wc -l <"$T/err")"
	grep -qF "$2" "$T/err" || fail "$1: $(cat "$T/err")"
}

mkdir "$T/dir"
refused "a directory" "collector: $T/dir: Is a directory" "$T/dir"
refused "no such file" "collector: $T/none: No such file or directory" \
    "$T/none"

ring_there=1
"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 1 2>/dev/null ||
    fail "collector sim"
refused "a directory, ring there" "Is a directory" "$T/dir"
assert_eq "the ring's epoch" "epoch: 1" \
    "$("$BIN/shmreader" --ring "$RING" --stat | grep '^epoch')"

# "-": standard input, named stdin
{ echo "$L"; echo '{'; } | timeout 10 "$BIN/collector" --ring "$RING.in" \
    jsonl - 2>"$T/err"
assert_eq "jsonl -: exit status" 0 "$?"
grep -qF "collector: stdin:2: " "$T/err" ||
    fail "jsonl -: line 2 not said as stdin:2: $(cat "$T/err")"
assert_eq "jsonl -: records" 1 \
    "$("$BIN/shmreader" --ring "$RING.in" --no-follow | wc -l)"
exit 0
