#!/bin/sh
# t-ring-sigbus-at-open: SIGBUS cause 3 in tickpipe-ring(5) at the very
# start: another process truncating the ring again and again while each
# program opens it, which maps it and reads (a reader) or writes (the
# writer) it at once.  No program may die of the signal: the guard is in
# place before the ring is mapped (it was installed after the open, and
# collector died of SIGBUS in most such starts, the readers in about one
# in ten).  What each does instead (recreate, follow, wait, exit 74) is
# not asked here, only that none is killed by a signal.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$T/ring

# the truncator: the object at R made empty as often as it can be
/usr/bin/python3 -c '
import os, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    for _ in range(1000):
        try:
            fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        os.ftruncate(fd, 0)
        os.close(fd)
' "$R" 120 &
tr=$!
track $tr

deaths=0 runs=0
# run NAME CMD...: one start, its end by a signal counted
run() {
	_n=$1
	shift
	timeout -s KILL 5 "$@" >/dev/null 2>"$T/err"
	_st=$?
	runs=$((runs + 1))
	if [ $_st -gt 128 ] && [ $_st -ne 137 ]; then
		deaths=$((deaths + 1))
		echo "$_n: exit $_st: $(head -c 200 "$T/err")" >>"$T/deaths"
	fi
}
i=0
while [ $i -lt 40 ]; do
	run collector "$BIN/collector" --ring "$R" --capacity 16 sim --count 3 \
	    --rate max
	i=$((i + 1))
done
# a writer for the readers, recreating the ring as it goes
"$BIN/collector" --ring "$R" --capacity 16 sim --rate 100000 \
    2>"$T/writer.err" &
w=$!
track $w
i=0
while [ $i -lt 30 ]; do
	run "shmreader --no-follow" "$BIN/shmreader" --ring "$R" --no-follow
	run "shmreader --stat" "$BIN/shmreader" --ring "$R" --stat
	run "deriver --no-follow" "$BIN/deriver" --ring "$R" \
	    --out "$T/d" --no-follow
	i=$((i + 1))
done
kill "$w" "$tr" 2>/dev/null
wait "$w"
_st=$?
if [ $_st -gt 128 ] && [ $_st -ne 143 ]; then
	deaths=$((deaths + 1))
	echo "the writer: exit $_st: $(head -c 200 "$T/writer.err")" >>"$T/deaths"
fi
note "$runs starts, $deaths by a signal"
[ "$deaths" -eq 0 ] || fail "$deaths of $runs starts died of a signal: $(head -n 5 "$T/deaths")"
