#!/bin/sh
# t-help-output-errors: -h and --help of collector, shmreader, redispub,
# wsgate and tickpipe-logrelay say an output error and exit 74 (their man pages, EXIT
# STATUS), as deriver's and recorder's do (t-deriver-help-output-errors,
# t-recorder-help-output-errors), and print the usage otherwise.  Before:
# to /dev/full collector, redispub and wsgate exited 0 without a word,
# the usage lost.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || skip "no /dev/full"

for p in collector shmreader redispub wsgate tickpipe-logrelay; do
	for arg in -h --help; do
		"$BIN/$p" "$arg" >/dev/full 2>"$T/full.err"
		assert_eq "$p $arg >/dev/full: exit status" 74 "$?"
		grep -q "^$p: stdout: No space left on device\$" "$T/full.err" ||
		    fail "$p $arg >/dev/full: $(cat "$T/full.err")"
		"$BIN/$p" "$arg" >"$T/ok.out" 2>"$T/ok.err" ||
		    fail "$p $arg: exit $?: $(cat "$T/ok.err")"
		grep -q "^usage: $p " "$T/ok.out" ||
		    fail "$p $arg: $(cat "$T/ok.out")"
	done
done
exit 0
