#!/bin/sh
# t-deriver-damaged-output-said: a damaged output ring that no writer
# holds (here truncated) is replaced at start and, as tickpipe-ring(5)
# asks of a writer, said both on standard error and in the new ring, in
# a status info of venue all, "ring recreated: replaced damaged ring
# NAME: WHY", its first record (deriver(1), --out).  Before: only
# standard error said it; the ring held the derived records alone.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

{
	echo 'type=2 flags=7 venue=1 symbol=BTC-USD ts=1000000000 recv=1000000000 nbids=1 nasks=1 level=100:0:1:0 level=101:0:1:0'
	echo 'type=1 venue=1 symbol=BTC-USD ts=2000000000 recv=2000000000 price=100 qty=1 side=1 tid=b'
} | "$BIN/tests/ringtool" put "$A" --capacity 64 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/tests/ringtool" put "$D" --capacity 64 </dev/null >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
truncate -s 5000 "/dev/shm/tickpipe.$D"

"$BIN/deriver" --ring "$A" --out "$D" --no-follow 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
why="replaced damaged ring $D: size: expected 20480 bytes for capacity 64, found 5000"
grep -qxF "deriver: $why" "$T/err" || fail "not said on stderr: $(cat "$T/err")"
derived >"$T/out"
# the reason, 127 bytes at most, cut in WHY
head -n 1 "$T/out" | grep -q "^{\"type\":\"status\",\"venue\":\"all\",\"seq\":1,.*\"status\":\"info\",\"reason\":\"ring recreated: replaced damaged ring $D: size: " ||
    fail "no status in the ring first: $(head -n 2 "$T/out")"
grep -q '"type":"quote"' "$T/out" || fail "nothing derived: $(cat "$T/out")"
assert_eq "statuses saying so" 1 "$(grep -c 'ring recreated' "$T/out")"

# a sound ring kept is not said to be replaced
"$BIN/deriver" --ring "$A" --out "$D" --no-follow 2>"$T/err" ||
    fail "deriver again: $(cat "$T/err")"
! grep -q replaced "$T/err" || fail "again: $(cat "$T/err")"
assert_eq "statuses saying so after a second run" 1 \
    "$(derived | grep -c 'ring recreated')"
exit 0
