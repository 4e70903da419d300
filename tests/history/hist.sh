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

# read_old V DIR SHA256: the version V history under DIR (300 sim
# messages, seed 2, in blocks of 100: 333 records) is read by `recorder
# cat -v` with nothing damaged, to records whose SHA-256 is SHA256, and
# `collector replay` replays the same records into $RING; leaves the
# file's records without their seq in $T/a.
read_old() {
	cp -R "$2" "$T/h"	# no sidecar: the block headers are scanned
	"$BIN/recorder" cat -v --format raw "$T/h" >"$T/all.cap" 2>"$T/err" ||
	    fail "recorder cat of a version $1 file: exit $?: $(cat "$T/err")"
	grep -q "blocks 4 .* damaged 0 torn 0 records 333" "$T/err" ||
	    fail "recorder cat -v said: $(cat "$T/err")"
	_s=$($CAP seqs "$T/all.cap") || fail "seqs not continuous: $_s"
	assert_eq "seqs" "1 333 333" "$_s"
	assert_eq "SHA-256 of the records" "$3" \
	    "$(sha256sum <"$T/all.cap" | cut -d ' ' -f 1)"
	"$BIN/collector" --ring "$RING" replay --speed max "$T/h" 2>"$T/err" ||
	    fail "collector replay of a version $1 file: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/rep.cap"
	$CAP noseq "$T/all.cap" "$T/a"
	$CAP noseq "$T/rep.cap" "$T/b"
	cmp "$T/a" "$T/b" || fail "the replay differs from the file's records"
}
