# shellcheck shell=sh
# tests/jsonl/derived.sh: the two halves of the t-jsonl-* tests of a
# derived type's checks (tickpipe-json(5)), sourced after lib.sh: lines
# of $IN that `collector jsonl` must reject, and records of the ring
# forged into a capture that shmreader must skip.

# jsonl_rejected TYPE WANT N...: `collector jsonl` reads $IN into $RING
# (exit 0); the lines written are those of src_seq WANT ("1 2 3"), and
# lines N... of $IN are each said rejected, a TYPE record with bad fields.
jsonl_rejected() {
	_jt=$1 _jw=$2
	shift 2
	"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
	assert_eq "collector jsonl exit status" 0 "$?"
	"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
	    fail "shmreader: $(cat "$T/rerr")"
	assert_eq "$_jt lines written, by src_seq" "$_jw" \
	    "$(sed -n 's/.*"src_seq":\([0-9]*\),.*/\1/p' "$T/out" |
	    tr '\n' ' ' | sed 's/ $//')"
	for _jn; do
		grep -qF "collector: $IN:$_jn: seq 0: $_jt record with bad fields: skipped" \
		    "$T/err" ||
		    fail "line $_jn not rejected so: $(grep -F "$IN:$_jn:" "$T/err")"
	done
}

# forged_replayed PYTHON: $RING's records as a capture (shmreader
# --format raw), changed by the Python statements PYTHON (the capture's
# bytes are `data`, a bytearray; struct imported), replayed into
# $RING.raw and printed: lines in $T/raw.out, standard error in $T/err.
forged_replayed() {
	"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ok.cap" \
	    2>"$T/err" || fail "shmreader --format raw: $(cat "$T/err")"
	/usr/bin/python3 -c "import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
$1
open(sys.argv[2], 'wb').write(data)" "$T/ok.cap" "$T/bad.cap" ||
	    fail "forging the capture"
	"$BIN/collector" --ring "$RING.raw" replay --speed max "$T/bad.cap" \
	    2>"$T/err" || fail "collector replay: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.raw" --no-follow >"$T/raw.out" \
	    2>"$T/err" || fail "shmreader: $(cat "$T/err")"
}
