#!/bin/sh
# t-ring-sigbus-header-size-mismatch: SIGBUS cause 1 in tickpipe-ring(5), an
# object smaller (or larger) than its header says, and every other header
# field that does not match this build.  The reader checks before mapping:
# a one-line error naming the field, the expected and the found value, exit
# status 78 (EX_CONFIG), never a signal.  The writer refuses a ring of
# another version (78) unless told --recreate; one that is merely damaged
# it replaces (t-ring-writer-replaces-damaged-ring).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$T/ring
SIZE=$((4096 + 1024 * 256))

"$BIN/collector" --ring "$R" --capacity 1024 sim --count 50 2>"$T/c.err" ||
    fail "collector: $(cat "$T/c.err")"
assert_eq "ring file size" "$SIZE" "$(wc -c <"$R" | tr -d ' ')"
n=$("$BIN/shmreader" --ring "$R" --no-follow | wc -l)
[ "$n" -ge 50 ] || fail "only $n lines from a good ring"

# expect_refused WHAT TEXT: shmreader must exit 78 with one line holding TEXT
expect_refused() {
	"$BIN/shmreader" --ring "$R" --no-follow >"$T/out" 2>"$T/err"
	st=$?
	assert_eq "$1: exit status" 78 "$st"
	assert_eq "$1: stderr lines" 1 "$(wc -l <"$T/err" | tr -d ' ')"
	grep -qF -- "$2" "$T/err" || fail "$1: got '$(cat "$T/err")', want '$2'"
	[ ! -s "$T/out" ] || fail "$1: printed records from a bad ring"
	note "$1: $(cat "$T/err")"
}

truncate -s $((4096 + 512 * 256)) "$R"
expect_refused "shrunk" "size: expected $SIZE bytes for capacity 1024, found $((4096 + 512 * 256))"
truncate -s $((SIZE + 4096)) "$R"
expect_refused "grown" "found $((SIZE + 4096))"
truncate -s 1000 "$R"
expect_refused "shorter than a header" "size: expected at least 4096 bytes, found 1000"
truncate -s 0 "$R"
"$BIN/shmreader" --ring "$R" --no-follow >/dev/null 2>"$T/err"
assert_eq "empty object (not initialized): exit status" 69 "$?"
grep -q "not initialized" "$T/err" || fail "empty: $(cat "$T/err")"

# header fields, on a fresh ring each time
fresh() {
	rm -f "$R"
	"$BIN/collector" --ring "$R" --capacity 1024 sim --count 5 2>"$T/c.err" ||
	    fail "collector: $(cat "$T/c.err")"
}
fresh
"$BIN/tests/ringtool" set "$R" magic 0x4141414141414141 || fail "set magic"
expect_refused "magic" "magic: expected 0x0100474e49525054, found 0x4141414141414141"
fresh
"$BIN/tests/ringtool" set "$R" version 9 || fail "set version"
expect_refused "version" "version: expected 1, found 9"
fresh
"$BIN/tests/ringtool" set "$R" record_size 512 || fail "set record_size"
expect_refused "record size" "record size: expected 256, found 512"
fresh
"$BIN/tests/ringtool" set "$R" capacity 2048 || fail "set capacity"
expect_refused "capacity vs size" "size: expected $((4096 + 2048 * 256)) bytes for capacity 2048, found $SIZE"
"$BIN/tests/ringtool" set "$R" capacity 1000 || fail "set capacity"
expect_refused "capacity not a power of two" "capacity: expected a power of two"

# --stat validates the same way
"$BIN/shmreader" --ring "$R" --stat >/dev/null 2>"$T/err"
assert_eq "--stat on a bad ring" 78 "$?"

# the writer refuses another version's ring, naming the field, and
# --recreate replaces it
fresh
"$BIN/tests/ringtool" set "$R" version 9 || fail "set version"
"$BIN/collector" --ring "$R" sim --count 5 2>"$T/err"
assert_eq "collector on a bad ring: exit status" 78 "$?"
grep -q "not compatible: version" "$T/err" || fail "collector: $(cat "$T/err")"
"$BIN/collector" --ring "$R" --capacity 1024 --recreate sim --count 5 \
    2>"$T/err" || fail "--recreate: $(cat "$T/err")"
n=$("$BIN/shmreader" --ring "$R" --no-follow | wc -l)
[ "$n" -ge 5 ] || fail "only $n lines from the recreated ring"
exit 0
