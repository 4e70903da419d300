#!/bin/sh
# t-recorder-rotate-size: a file that reaches --max-size is closed (with
# its index) and the next block goes into the next file of the same
# period (NAME-...THH.0002.tph, ...); a file passes the size by at most
# one block; together the files hold every record once, in order.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

record_sim_files "$H"

n=$(ls "$H"/*/sim-*.tph | wc -l)
[ "$n" -ge 3 ] || fail "$n files of at most 20K: $(ls -l "$H"/*)"
i=0
for f in "$H"/*/sim-*.tph; do
	i=$((i + 1))
	case $f in
	*/sim-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9].$(printf %04d $i).tph) ;;
	*) fail "file $i named $f" ;;
	esac
	[ -f "$f.idx" ] || fail "$f has no index"
	size=$(wc -c <"$f")
	last=$($CAP blocks "$f.idx" | tail -n 1 | cut -d ' ' -f 2)
	[ $((size - 64 - last)) -lt 20480 ] ||
		fail "$f: $size bytes, past 20K before its last block"
done
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap"
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "recorder cat: $(cat "$T/err")"
cmp "$T/ring.cap" "$T/all.cap" || fail "the files together differ from the ring"
note "$n files"
exit 0
