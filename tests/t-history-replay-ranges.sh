#!/bin/sh
# t-history-replay-ranges: an hour and a quarter of market data (a sim
# capture whose times are spread over 13:50 to 15:05) replayed at top
# speed into a ring is recorded by recorder(1) in hourly files of many
# blocks; `recorder cat` of everything equals a live shmreader capture of
# the same ring byte for byte, and time ranges that cross file and block
# boundaries, read with `recorder cat` and replayed with `collector
# replay DIR --from --to`, equal the live capture's messages of that range
# (byte for byte; the replay apart from ring seq).  The index skips the
# blocks outside a range.  The replay of a range says the books whose
# deltas come with no snapshot before them; of the whole capture, none.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
SRC=$RING.src
LIVE=$RING.live
REP=$RING.rep
H=$T/hist
t0=$(date -u -d 2026-12-02T13:50:00Z +%s)000000000

"$BIN/collector" --ring "$SRC" sim --seed 7 --count 6000 --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$SRC" --no-follow --format raw >"$T/sim.cap" ||
    fail "shmreader --format raw"
$CAP spread "$T/sim.cap" "$T/hour.cap" "$t0" $((75 * 60 * 1000000000)) ||
    fail "caputil spread"

# the recorder and a live capture wait for the ring; the replay makes it
"$BIN/recorder" --ring "$LIVE" --flush 20 --block 500 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
"$BIN/shmreader" --ring "$LIVE" --format raw >"$T/live.cap" 2>"$T/sr.err" &
SPID=$!
track $SPID
sleep 0.3
"$BIN/collector" --ring "$LIVE" --capacity 65536 replay --speed max \
    "$T/hour.cap" 2>"$T/err" || fail "collector replay: $(cat "$T/err")"
! grep -q "no snapshot" "$T/err" || fail "replay of the whole capture: $(cat "$T/err")"
recs=$("$BIN/shmreader" --ring "$LIVE" --stat | sed -n 's/^seq: //p')
full() { [ "$(wc -c <"$T/live.cap")" -eq $((64 + recs * 256)) ]; }
wait_for 20 full || fail "live capture has $(wc -c <"$T/live.cap") bytes"
kill -TERM $SPID $RPID
wait $RPID
assert_eq "recorder exit status" 0 "$?"

# hourly files, each of several blocks
ls "$H"/2026-12-02/ >"$T/files"
assert_eq "files" "tickpipe-2026-12-02T13.0001.tph
tickpipe-2026-12-02T13.0001.tph.idx
tickpipe-2026-12-02T14.0001.tph
tickpipe-2026-12-02T14.0001.tph.idx
tickpipe-2026-12-02T15.0001.tph
tickpipe-2026-12-02T15.0001.tph.idx" "$(cat "$T/files")"

"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "recorder cat: $(cat "$T/err")"
cmp "$T/live.cap" "$T/all.cap" || fail "recorded history differs from the live capture"

# ISO 8601 and ns; across 14:00 (files), within and across blocks
ns() { echo "$(date -u -d "$1" +%s)$2"; }
i=0
for range in "2026-12-02T13:58:30Z 2026-12-02T14:03:00.25Z" \
    "2026-12-02T14:59:29.5+00:00 2026-12-02T15:00:30.5Z" \
    "$(ns 2026-12-02T14:20:00Z 000000123) $(ns 2026-12-02T14:21:07Z 000000005)" \
    "2026-12-02T16:00+01:00 2026-12-02T15:30"; do
	i=$((i + 1))
	from=${range% *} to=${range#* }
	case $from in *T*) fns=$(date -u -d "$from" +%s%N) ;; *) fns=$from ;; esac
	case $to in *T*) tns=$(date -u -d "$to" +%s%N) ;; *) tns=$to ;; esac
	$CAP filter "$T/live.cap" "$T/want$i.cap" "$fns" "$tns" || fail "caputil filter"
	[ "$(wc -c <"$T/want$i.cap")" -gt $((64 + 256 * 5)) ] ||
		fail "range $i: too few records to mean anything"
	"$BIN/recorder" cat -v --format raw --from "$from" --to "$to" "$H" \
	    >"$T/got$i.cap" 2>"$T/err" || fail "recorder cat $range: $(cat "$T/err")"
	cmp "$T/want$i.cap" "$T/got$i.cap" || fail "range $range: recorder cat differs"
	decoded=$(sed -n 's/.* blocks \([0-9]*\) skipped by the index.*/\1/p' "$T/err")
	[ "${decoded:-99}" -le 3 ] ||
		fail "range $i: $decoded of 13 blocks decoded: $(cat "$T/err")"

	"$BIN/collector" --ring "$REP.$i" --capacity 65536 replay --speed max \
	    --from "$from" --to "$to" "$H" 2>"$T/err" ||
		fail "collector replay $range: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$REP.$i" --no-follow --format raw \
	    >"$T/rep$i.cap" || fail "shmreader $REP.$i"
	$CAP noseq "$T/want$i.cap" "$T/want$i.noseq"
	$CAP noseq "$T/rep$i.cap" "$T/rep$i.noseq"
	cmp "$T/want$i.noseq" "$T/rep$i.noseq" ||
		fail "range $range: collector replay differs"
	# the sim's snapshots are at its start: each book of a range from
	# the middle begins with deltas, which the replay says
	grep -q ": sim BTC-USD: book deltas with no snapshot before them" "$T/err" ||
		fail "range $range: deltas with no snapshot not said: $(cat "$T/err")"
done
exit 0
