#!/bin/sh
# t-ring-written-over: a ring written over in place by another process,
# not truncated (tickpipe-ring(5), "Writer recovery").  A cursor no
# writer stored, with none alive: a following reader says so and exits
# 74 (it spun at 100% CPU for ever, ring_wait saying ready and ring_read
# finding nothing).  A header written over under a live writer: the
# writer sees it at its next check, recreates the ring and says so, and
# a reader follows it with the gap (a reader sat still for ever, the
# writer going on in an object no reader could open).  A first_seq past
# the cursor is refused by readers and replaced by writers.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$T/ring

# reader_told NAME FIELD VALUE: a ring of 100 sim messages, no writer,
# a following reader NAME; FIELD of its header set to VALUE: the reader
# must say "written over by another process" and exit 74
reader_told() {
	"$BIN/collector" --ring "$R" --capacity 1024 sim --count 100 \
	    --rate max 2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
	"$BIN/shmreader" --ring "$R" >"$T/$1.out" 2>"$T/$1.err" &
	_rp=$!
	track $_rp
	wait_for 10 test -s "$T/$1.out" || fail "reader $1: $(cat "$T/$1.err")"
	sleep 0.3
	"$BIN/tests/ringtool" set "$R" "$2" "$3" || fail "ringtool set"
	wait_for 10 exited $_rp ||
	    fail "reader $1 still runs: $(ps -o stat=,pcpu= -p $_rp)"
	wait $_rp
	assert_eq "reader $1: exit status" 74 "$?"
	grep -q "ring $R: written over by another process" "$T/$1.err" ||
	    fail "reader $1: $(cat "$T/$1.err")"
	rm -f "$R"
}

# 1. no writer: the cursor set far past the last record
reader_told A cursor 1099511627776

# 1a. no writer, a reader with nothing to read: the header zeroed.  It
# waited for ever (only a record read told it of a ring written over).
reader_told Z magic 0

# 1b. no writer: first_seq set past the cursor.  A new reader said
# nothing and read nothing for ever (--no-follow: exit 0, no output); a
# writer left it as it was.
"$BIN/collector" --ring "$R" --capacity 1024 sim --count 100 --rate max \
    2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
"$BIN/tests/ringtool" set "$R" first_seq 4611686018427387904 ||
    fail "ringtool set"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/f.out" 2>"$T/f.err"
assert_eq "reader of first_seq 2^62: exit status" 78 "$?"
grep -q "first_seq 4611686018427387904 is past the cursor" \
    "$T/f.err" || fail "reader of first_seq 2^62: $(cat "$T/f.err")"
"$BIN/collector" --ring "$R" --capacity 1024 sim --count 10 --rate max \
    2>"$T/c.err" || fail "collector over first_seq 2^62: $(cat "$T/c.err")"
grep -q "replaced damaged ring" "$T/c.err" ||
    fail "collector over first_seq 2^62: $(cat "$T/c.err")"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/f.out" 2>"$T/f.err" ||
    fail "reader after the writer: $(cat "$T/f.err")"
[ -s "$T/f.out" ] || fail "no records after the writer"
rm -f "$R"

# 2. a live writer: its header written over with other bytes, the size
# kept
"$BIN/collector" --ring "$R" --capacity 1024 sim --rate 500 \
    2>"$T/w.err" &
w=$!
track $w
wait_for 10 test -e "$R" || fail "writer: $(cat "$T/w.err")"
"$BIN/shmreader" --ring "$R" >"$T/b.out" 2>"$T/b.err" &
b=$!
track $b
wait_for 10 test -s "$T/b.out" || fail "reader B: $(cat "$T/b.err")"
head -c 4096 /dev/urandom | dd of="$R" conv=notrunc 2>/dev/null ||
    fail "dd"
wait_for 10 grep -q "recreated after overwriting" "$T/w.err" ||
    fail "the writer did not see it: $(cat "$T/w.err")"
wait_for 10 grep -q "reopening" "$T/b.err" ||
    fail "reader B did not follow: $(cat "$T/b.err")"
n=$(wc -l <"$T/b.out")
wait_for 10 sh -c "[ \$(wc -l <'$T/b.out') -gt $((n + 50)) ]" ||
    fail "reader B reads no more: $(cat "$T/b.err")"
# 3. a live writer: first_seq alone written over
n=$(wc -l <"$T/b.out")
"$BIN/tests/ringtool" set "$R" first_seq 4611686018427387904 ||
    fail "ringtool set"
wait_for 10 sh -c "[ \$(grep -c 'recreated after overwriting' '$T/w.err') \
    -ge 2 ]" || fail "the writer did not see first_seq: $(cat "$T/w.err")"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/g.out" 2>"$T/g.err" ||
    fail "a new reader: $(cat "$T/g.err")"
[ -s "$T/g.out" ] || fail "a new reader read nothing: $(cat "$T/g.err")"
kill "$w" "$b"
wait "$b"
note "$(cat "$T/w.err" "$T/b.err" | tr '\n' '|')"
exit 0
