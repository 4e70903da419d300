#!/bin/sh
# t-deriver-help-output-errors: -h and --help say an output error and
# exit 74, as shmreader's do (deriver(1)), and exit 0 quietly when
# standard output is a pipe whose reader is gone.  Before: to /dev/full
# they exited 0 without a word.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || skip "no /dev/full"

for arg in -h --help; do
	"$BIN/deriver" "$arg" >/dev/full 2>"$T/full.err"
	assert_eq "deriver $arg >/dev/full: exit status" 74 "$?"
	grep -q '^deriver: stdout: No space left on device$' "$T/full.err" ||
	    fail "deriver $arg >/dev/full: $(cat "$T/full.err")"

	# a pipe whose read end is closed before deriver starts
	closed_pipe_rc "$BIN/deriver" "$arg" >"$T/pipe.rc" 2>"$T/pipe.err"
	assert_eq "deriver $arg into a closed pipe: exit status" 0 \
	    "$(cat "$T/pipe.rc")"
	[ ! -s "$T/pipe.err" ] ||
	    fail "deriver $arg into a closed pipe: $(cat "$T/pipe.err")"

	"$BIN/deriver" "$arg" >"$T/ok.out" || fail "deriver $arg: exit $?"
	grep -q '^usage: deriver ' "$T/ok.out" ||
	    fail "deriver $arg: $(cat "$T/ok.out")"
done
exit 0
