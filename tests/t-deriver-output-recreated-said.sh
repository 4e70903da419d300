#!/bin/sh
# t-deriver-output-recreated-said: an output ring lost while the deriver
# runs (removed here) is made again and, as tickpipe-ring(5) asks of a
# writer ("Writer recovery") and the collector does, said in the new
# ring by a status info of venue all, "ring recreated after removal:
# ..." (deriver(1), --out); said once, and the derived records that
# follow come after it.  Before: only standard error said it; a reader
# of the new ring was told nothing of the loss.
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
wait_for 3 grep -q "ring $RING.out recreated after removal" "$T/d.err" ||
    fail "not said on stderr: $(cat "$T/d.err")"
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
