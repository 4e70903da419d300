# shellcheck shell=sh
# tests/history/hist.sh: sourced after lib.sh by the recorder and history
# tests: caputil.py (raw captures) as $CAP, and waiting for the recorder.
# shellcheck disable=SC2034 # for the tests that source this file
CAP="/usr/bin/python3 $TESTS/history/caputil.py"

# recorded_up_to DIR SEQ: the history under DIR ends with record SEQ.
recorded_up_to() {
	_s=$("$BIN/recorder" cat --format raw "$1" 2>/dev/null |
	    $CAP seqs /dev/stdin)
	[ "$(echo "$_s" | cut -d ' ' -f 2)" = "$2" ]
}
