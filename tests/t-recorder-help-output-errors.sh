#!/bin/sh
# t-recorder-help-output-errors: -h and --help, of the recorder and of
# recorder cat, say an output error and exit 74 (recorder(1)), as
# deriver's and shmreader's do.  Before: to /dev/full they exited 0
# without a word, the usage lost.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || skip "no /dev/full"

for args in -h --help "cat -h" "cat --help"; do
	# shellcheck disable=SC2086 # the words of $args
	"$BIN/recorder" $args >/dev/full 2>"$T/full.err"
	assert_eq "recorder $args >/dev/full: exit status" 74 "$?"
	grep -q '^recorder: stdout: No space left on device$' "$T/full.err" ||
	    fail "recorder $args >/dev/full: $(cat "$T/full.err")"

	# shellcheck disable=SC2086
	"$BIN/recorder" $args >"$T/ok.out" 2>"$T/ok.err" ||
	    fail "recorder $args: exit $?: $(cat "$T/ok.err")"
	grep -q '^usage: recorder ' "$T/ok.out" ||
	    fail "recorder $args: $(cat "$T/ok.out")"
done
exit 0
