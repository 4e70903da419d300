#!/bin/sh
# t-deriver-output-removed-idle: the deriver's output ring removed while
# its input is quiet is made again at once (tickpipe-ring(5), "Writer
# recovery": at the writer's check), as the collector does; it was made
# again only with the next record derived, readers finding no ring for
# as long as the input was quiet.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 50 --rate max \
    2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
"$BIN/deriver" --ring "$RING" --out "$RING.out" 2>"$T/d.err" &
d=$!
track $d
wait_for 10 test -e "/dev/shm/tickpipe.$RING.out" ||
    fail "no output: $(cat "$T/d.err")"
sleep 0.5
rm "/dev/shm/tickpipe.$RING.out"
wait_for 3 test -e "/dev/shm/tickpipe.$RING.out" ||
    fail "the output not made again within 3 s: $(cat "$T/d.err")"
wait_for 3 grep -q "ring $RING.out recreated after removal" "$T/d.err" ||
    fail "not said: $(cat "$T/d.err")"
"$BIN/shmreader" --ring "$RING.out" --no-follow >/dev/null 2>"$T/r.err" ||
    fail "the output made again: $(cat "$T/r.err")"
kill $d
wait $d
assert_eq "deriver: exit status" 0 "$?"
