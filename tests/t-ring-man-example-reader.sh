#!/bin/sh
# t-ring-man-example-reader: the complete reader printed in EXAMPLES of
# tickpipe-ring(5), compiled as the page says, waits for a ring that does
# not exist yet and for one whose magic is 0 (being created), then reads
# a live collector's ring: what it prints, record by record, is what a
# decoder of shmreader's raw capture, written here from the same page,
# prints.  A ring of another version makes it exit 78.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# the code between .Bd -literal and .Ed after "A complete reader in C"
awk '/^A complete reader in C/ { f = 1 }
    f && /^\.Bd -literal/ { p = 1; next }
    p && /^\.Ed/ { exit }
    p' "$TOP/man/tickpipe-ring.5" | sed 's/\\e/\\/g' >"$T/ringread.c"
[ -s "$T/ringread.c" ] || fail "no example found in tickpipe-ring(5)"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$T/ringread" \
    "$T/ringread.c" 2>"$T/cc" || fail "the example does not build: $(cat "$T/cc")"

# started before the ring exists, it waits
"$T/ringread" "/tickpipe.$RING" >"$T/ex.out" 2>&1 &
ex=$!
track $ex
sleep 0.3
kill -0 $ex 2>/dev/null || fail "the example exited without a ring: $?"
"$BIN/collector" --ring "$RING" --capacity 1024 sim --seed 3 --count 400 \
    --rate 4000 2>"$T/err" || fail "collector: $(cat "$T/err")"
last=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
[ "$last" -gt 400 ] || fail "only $last records written"
wait_for 10 grep -q "^$last " "$T/ex.out" ||
    fail "the example never printed seq $last: $(tail -n 2 "$T/ex.out")"
kill -0 $ex 2>/dev/null || fail "the example exited"

# the same records, decoded from shmreader's raw capture
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/raw" ||
    fail "shmreader --format raw"
/usr/bin/python3 - "$T/raw" >"$T/want" <<'PY' || fail "decoding the capture"
import struct, sys
data = open(sys.argv[1], 'rb').read()[64:]
for i in range(0, len(data), 256):
    r = data[i:i + 256]
    seq, typ, flags = struct.unpack_from('<QHH', r, 0)
    sym = r[16:32].split(b'\0')[0].decode()
    if typ == 1:
        p, q, pe, qe, side = struct.unpack_from('<qqbbB', r, 64)
        print('%d trade %s %de%d %de%d side %d' % (seq, sym, p, pe, q, qe, side))
    elif typ == 2:
        print('%d book %s flags %s bids %d asks %d' % (seq, sym,
            '%#x' % flags if flags else '0', r[244], r[245]))
    elif typ == 3:
        code, = struct.unpack_from('<H', r, 64)
        print('%d status %d %s' % (seq, code, r[72:200].split(b'\0')[0].decode()))
PY
[ "$(wc -l <"$T/want")" -eq "$last" ] || fail "the capture is not $last records"
cmp -s "$T/want" "$T/ex.out" ||
    fail "the example differs: $(diff "$T/want" "$T/ex.out" | head -n 4)"
kill $ex
note "the example printed the $last records shmreader captured"

# magic 0: being created, so the example waits; then it reads
R0=$(od -A n -t x8 -N 8 "$SHM" | tr -d ' ')
"$BIN/tests/ringtool" set "$SHM" magic 0 || fail "ringtool set magic"
"$T/ringread" "/tickpipe.$RING" >"$T/ex2.out" 2>&1 &
ex=$!
track $ex
sleep 0.3
kill -0 $ex 2>/dev/null || fail "the example did not wait on magic 0"
[ ! -s "$T/ex2.out" ] || fail "the example read a ring whose magic is 0"
"$BIN/tests/ringtool" set "$SHM" magic "0x$R0" || fail "ringtool set magic"
wait_for 10 grep -q "^$last " "$T/ex2.out" ||
    fail "the example did not read the ring once its magic was set"
kill $ex

# another version: incompatible, exit 78
"$BIN/tests/ringtool" set "$SHM" version 2 || fail "ringtool set version"
timeout 5 "$T/ringread" "/tickpipe.$RING" >/dev/null 2>&1
assert_eq "exit status on version 2" 78 "$?"
exit 0
