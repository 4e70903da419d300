#!/bin/sh
# t-no-follow-ring-broken: with --no-follow, shmreader and deriver stop
# at the end of what was written; a ring written over in place (a cursor
# no writer stored, past records its slots do not hold), with no writer
# holding it, is no such end: exit 74 with the reason, as when following
# (shmreader(1), deriver(1) EXIT STATUS).  Before, both took it for the
# end: exit 0, nothing said, nothing read.  A whole ring still ends in 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
SHM=/dev/shm/tickpipe.$RING

# both READERS: shmreader and deriver --no-follow on $RING, exit statuses
# and stderr in $T/{shm,der}.{rc,err}
both() {
	"$BIN/shmreader" --ring "$RING" --no-follow >"$T/shm.out" 2>"$T/shm.err"
	echo $? >"$T/shm.rc"
	"$BIN/deriver" --ring "$RING" --out "$RING.d" --no-follow \
	    2>"$T/der.err"
	echo $? >"$T/der.rc"
	"$BIN/shmreader" --ring "$RING.d" --unlink 2>/dev/null
}
fresh() {
	"$BIN/shmreader" --ring "$RING" --unlink 2>/dev/null
	"$BIN/collector" --ring "$RING" --capacity 1024 sim --seed 1 \
	    --count 20 --rate 100000 2>"$T/c.err" ||
	    fail "collector: $(cat "$T/c.err")"
}

fresh
both
assert_eq "whole ring: shmreader exit status" 0 "$(cat "$T/shm.rc")"
assert_eq "whole ring: deriver exit status" 0 "$(cat "$T/der.rc")"
[ -s "$T/shm.out" ] || fail "whole ring: nothing printed"

fresh
"$BIN/tests/ringtool" set "$SHM" cursor 100000 || fail "ringtool set"
both
for p in shm der; do
	assert_eq "written over: $p exit status" 74 "$(cat "$T/$p.rc")"
	grep -q "ring $RING: written over by another process" "$T/$p.err" ||
	    fail "written over: $p: $(cat "$T/$p.err")"
done

"$BIN/shmreader" --ring "$RING" --unlink 2>/dev/null
exit 0
