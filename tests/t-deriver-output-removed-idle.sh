#!/bin/sh
# t-deriver-output-removed-idle: the deriver's output ring removed while
# its input is quiet is made again at once (tickpipe-ring(5), "Writer
# recovery": at the writer's check), as the collector does; it was made
# again only with the next record derived, readers finding no ring for
# as long as the input was quiet.  The new ring says so, as
# tickpipe-ring(5) asks of a writer: a status info of venue all, "ring
# recreated after removal: ...", once, the derived records that follow
# after it (deriver(1), --out); before, only standard error said it.
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

read_out() {
	"$BIN/shmreader" --ring "$RING.out" --no-follow 2>"$T/r.err" ||
	    fail "shmreader: $(cat "$T/r.err")"
}
wait_for 3 sh -c "\"$BIN/shmreader\" --ring \"$RING.out\" --no-follow 2>/dev/null | grep -q 'ring recreated'" ||
    fail "not said in the new ring: $(read_out | head -n 3)"
read_out >"$T/out"
head -n 1 "$T/out" | grep -q "^{\"type\":\"status\",\"venue\":\"all\",.*\"status\":\"info\",\"reason\":\"ring recreated after removal: " ||
    fail "not a status info of venue all: $(head -n 2 "$T/out")"
assert_eq "statuses saying so" 1 "$(grep -c 'ring recreated' "$T/out")"

# the input goes on: what is derived follows the status in the new ring
"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 50 --rate max \
    2>"$T/c.err" || fail "collector again: $(cat "$T/c.err")"
wait_for 5 sh -c "\"$BIN/shmreader\" --ring \"$RING.out\" --no-follow 2>/dev/null | grep -q '\"type\":\"quote\"'" ||
    fail "nothing derived after it: $(read_out | head -n 3); $(cat "$T/d.err")"
read_out >"$T/out"
assert_eq "statuses saying so, after more input" 1 \
    "$(grep -c 'ring recreated' "$T/out")"
kill $d
wait $d
assert_eq "deriver: exit status" 0 "$?"
