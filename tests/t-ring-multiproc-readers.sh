#!/bin/sh
# t-ring-multiproc-readers: one writer and four reader processes over
# millions of records (fewer under the sanitizers).  Every record's
# contents are checked against its sequence (never torn); sequences only
# jump where a loss is reported, by exactly that loss; a deliberately slow
# reader is lapped and its losses add up to exactly what it missed.  The
# readers start before the writer and wait for the ring to appear.
# Finally a byte of one slot is corrupted by hand, to show the checker
# does catch a wrong record.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TOOL=$BIN/tests/ringtool
[ -x "$TOOL" ] || fail "$TOOL not built"
N=2000000
case $BIN in *build-san) N=200000 ;; esac
N=${RING_TEST_RECORDS:-$N}

pids=""
for i in 1 2 3; do
	"$TOOL" read "$RING" --until "$N" --wait-open --timeout 120 \
	    >"$T/r$i" 2>&1 &
	track $!
	pids="$pids $!"
done
"$TOOL" read "$RING" --until "$N" --wait-open --timeout 120 \
    --slow-every 200 --slow-us 5000 >"$T/rslow" 2>&1 &
track $!
slow=$!
sleep 0.2
"$TOOL" write "$RING" --until "$N" --capacity 4096 --batch-max 16 \
    >"$T/w" 2>&1 || fail "writer: $(cat "$T/w")"
assert_eq "writer" "epoch 1 first 1 last $N" "$(cat "$T/w")"

i=0
for p in $pids $slow; do
	i=$((i + 1))
	wait "$p" || fail "reader $i (pid $p) exited $?: $(cat "$T"/r* | tr '\n' ' ')"
done
for f in r1 r2 r3 rslow; do
	# read N lost L gaps G first F last S epoch E
	# shellcheck disable=SC2046
	set -- $(cat "$T/$f")
	[ "$1" = read ] || fail "$f: unexpected output: $*"
	note "$f: $*"
	# a reader that polls for the ring late starts at the oldest record
	if [ "$8" -lt 1 ] || [ "$8" -gt "$N" ]; then
		fail "$f: first $8"
	fi
	assert_eq "$f: last" "$N" "${10}"
	assert_eq "$f: read + lost" "$((N - $8 + 1))" "$(($2 + $4))"
	[ "$2" -gt 0 ] || fail "$f read nothing"
	if [ "$f" = rslow ]; then
		if [ "$4" -eq 0 ] || [ "$6" -eq 0 ]; then
			fail "the slow reader was never lapped: $*"
		fi
	fi
done

# Negative control: a wrong byte in a slot must be caught.  Slot of
# sequence N is at 4096 + (N mod 4096) * 256; byte 100 is payload.
off=$((4096 + (N % 4096) * 256 + 100))
printf 'X' | dd of="/dev/shm/tickpipe.$RING" bs=1 seek="$off" conv=notrunc \
    2>/dev/null || fail "cannot patch the ring"
if "$TOOL" read "$RING" --until "$N" --timeout 10 >"$T/bad" 2>&1; then
	fail "a corrupted record went unnoticed: $(cat "$T/bad")"
fi
grep -q "wrong record at seq $N" "$T/bad" || fail "checker: $(cat "$T/bad")"
exit 0
