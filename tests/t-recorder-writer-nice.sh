#!/bin/sh
# t-recorder-writer-nice: the recorder's writer thread (compressing and
# writing) runs --writer-nice (10 by default) nicer than its reader
# thread, at most 19, so that the reader has the processor when both
# want it; --writer-nice 0 leaves them equal.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
[ -r "/proc/$$/stat" ] || skip "no /proc"

"$BIN/collector" --ring "$RING" sim --count 10 --rate max 2>"$T/err" ||
    fail "collector sim: $(cat "$T/err")"
# nices PID: the main thread's nice, then the other threads'
nices() {
	for t in "/proc/$1/task/"*; do
		# field 19, counted after the ")" that ends the name
		n=$(sed 's/.*) //' "$t/stat" | cut -d ' ' -f 17)
		if [ "$t" = "/proc/$1/task/$1" ]; then echo "0 $n"; else echo "1 $n"; fi
	done | sort -n | cut -d ' ' -f 2 | tr '\n' ' '
}
# this shell's nice (field 19 of /proc/PID/stat), which `nice -n` adds to
base=$(sed 's/.*) //' "/proc/$$/stat" | cut -d ' ' -f 17)
# check NICE OPTIONS -- ADD: the recorder started at nice +NICE with
# OPTIONS runs its reader at this shell's nice plus NICE and its writer
# ADD nicer still, each at most 19 (recorder(1), --writer-nice)
check() {
	start=$1
	shift
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	add=$2
	reader=$((base + start > 19 ? 19 : base + start))
	writer=$((reader + add > 19 ? 19 : reader + add))
	# shellcheck disable=SC2086 # opts are words
	nice -n "$start" "$BIN/recorder" --ring "$RING" $opts "$T/h" \
	    2>"$T/rec.err" &
	RPID=$!
	track $RPID
	# shellcheck disable=SC2317 # called by wait_for
	two() { [ "$(find "/proc/$RPID/task" -mindepth 1 -maxdepth 1 | wc -l)" -eq 2 ]; }
	wait_for 10 two || fail "recorder$opts: no writer thread: $(cat "$T/rec.err")"
	sleep 0.2	# it has set its nice
	# shellcheck disable=SC2046 # two numbers
	set -- $(nices $RPID)
	assert_eq "recorder$opts at nice +$start: reader and writer nice" \
	    "$reader $writer" "${1:-} ${2:-}"
	kill -TERM $RPID
	wait $RPID || fail "recorder$opts: exit $?: $(cat "$T/rec.err")"
}
check 0 -- 10
check 0 --writer-nice 3 -- 3
check 0 --writer-nice 0 -- 0
check 15 -- 10
exit 0
