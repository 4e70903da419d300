#!/bin/sh
# t-shmreader-info-output-errors: --stat, --layout, -h and --help say an
# output error and exit 74, as reading does, and exit 0 quietly when
# standard output is a pipe whose reader is gone.  Before: to /dev/full
# they exited 0 without a word, and into a closed pipe SIGPIPE killed
# them (141).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || skip "no /dev/full"

"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 5 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

for args in "--ring $RING --stat" --layout -h --help; do
	# shellcheck disable=SC2086 # the options, split
	"$BIN/shmreader" $args >/dev/full 2>"$T/full.err"
	assert_eq "shmreader $args >/dev/full: exit status" 74 "$?"
	grep -q '^shmreader: stdout: No space left on device$' "$T/full.err" ||
	    fail "shmreader $args >/dev/full: $(cat "$T/full.err")"

	# a pipe whose read end is closed before shmreader starts
	# shellcheck disable=SC2086 # the options, split
	closed_pipe_rc "$BIN/shmreader" $args >"$T/pipe.rc" 2>"$T/pipe.err"
	assert_eq "shmreader $args into a closed pipe: exit status" 0 \
	    "$(cat "$T/pipe.rc")"
	[ ! -s "$T/pipe.err" ] ||
	    fail "shmreader $args into a closed pipe: $(cat "$T/pipe.err")"

	# shellcheck disable=SC2086 # the options, split
	"$BIN/shmreader" $args >"$T/ok.out" ||
	    fail "shmreader $args: exit $?"
	[ -s "$T/ok.out" ] || fail "shmreader $args: no output"
done
exit 0
