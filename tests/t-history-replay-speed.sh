#!/bin/sh
# t-history-replay-speed: a recorded range of 8 s (sim messages whose times
# are spread evenly over it) replayed by `collector replay DIR` at
# --speed 10 takes about a tenth of the span (between a twentieth and a
# fifth: a generous bound, not a timing test), --speed max far less than
# that, and both replay the recorded records byte for byte (apart from
# ring seq).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
SRC=$RING.src
LIVE=$RING.live
H=$T/hist
SPAN=8000	# ms
t0=$(date -u -d 2026-12-02T09:00:00Z +%s)000000000

"$BIN/collector" --ring "$SRC" sim --seed 3 --count 3000 --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$SRC" --no-follow --format raw >"$T/sim.cap" ||
    fail "shmreader --format raw"
$CAP spread "$T/sim.cap" "$T/span.cap" "$t0" $((SPAN * 1000000)) ||
    fail "caputil spread"

# record it
"$BIN/recorder" --ring "$LIVE" --flush 20 --block 500 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
sleep 0.3
"$BIN/collector" --ring "$LIVE" replay --speed max "$T/span.cap" \
    2>"$T/err" || fail "collector replay of the capture: $(cat "$T/err")"
recs=$("$BIN/shmreader" --ring "$LIVE" --stat | sed -n 's/^seq: //p')
wait_for 20 recorded_up_to "$H" "$recs" || fail "recorder did not reach seq $recs"
kill -TERM $RPID
wait $RPID
$CAP noseq "$T/span.cap" "$T/want.cap"

# replay SPEED NAME: replays the history into ring NAME; sets $took (ms)
replay() {
	a=$(ms)
	"$BIN/collector" --ring "$RING.$2" replay --speed "$1" "$H" \
	    2>"$T/err" || fail "collector replay --speed $1: $(cat "$T/err")"
	took=$(($(ms) - a))
	"$BIN/shmreader" --ring "$RING.$2" --no-follow --format raw \
	    >"$T/$2.cap" || fail "shmreader of the --speed $1 replay"
	"$BIN/shmreader" --ring "$RING.$2" --unlink
	$CAP noseq "$T/$2.cap" "$T/$2.noseq"
	cmp "$T/want.cap" "$T/$2.noseq" ||
	    fail "--speed $1: the replay differs from what was recorded"
}
replay 10 ten
note "--speed 10: $took ms for a span of $SPAN ms"
[ "$took" -ge $((SPAN / 20)) ] && [ "$took" -le $((SPAN / 5)) ] ||
    fail "--speed 10 took $took ms for a span of $SPAN ms (want $((SPAN / 20)) to $((SPAN / 5)))"
replay max max
note "--speed max: $took ms"
[ "$took" -lt $((SPAN / 20)) ] ||
    fail "--speed max took $took ms, not below $((SPAN / 20)) ms"
exit 0
