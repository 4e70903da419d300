#!/bin/sh
# t-recorder-cat-closed-pipe: recorder cat into a pipe whose reader is
# gone (as `recorder cat H | head` leaves it) exits 0 without a word,
# JSONL or raw, as shmreader does, and so do -h and cat -h (recorder(1),
# EXIT STATUS 0).  Before: SIGPIPE killed it (status 141 to the shell,
# a failure under set -o pipefail); its EPIPE handling was never reached.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

record_sim_files "$H"
for args in "cat $H" "cat --format raw $H" "cat -v $H" -h "cat -h"; do
	# shellcheck disable=SC2086 # the words of $args
	closed_pipe_rc "$BIN/recorder" $args >"$T/rc" 2>"$T/err"
	assert_eq "recorder $args into a closed pipe: exit status" 0 \
	    "$(cat "$T/rc")"
	[ ! -s "$T/err" ] ||
	    fail "recorder $args into a closed pipe: $(cat "$T/err")"
done
exit 0
