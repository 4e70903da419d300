#!/bin/sh
# t-history-corrupt-block: one byte changed in a history file costs the
# records of its block and nothing else: `recorder cat` names the file,
# the block's offset and sequences, reads every other block, and exits
# 65.  A byte in a block's frame fails its checksum; a byte in a block
# header is found with the index sidecar (the header no longer matches
# it) and without (the scan steps to the next valid header); so is one
# in the last block's header, which no block follows: only less than a
# header after the last block is a torn block, which a write cut short
# leaves, said and not an error.  `collector replay` replays the rest
# and tells its ring's readers of the records lost, where a record
# follows them, by a status resync (collector(1)); it told them nothing,
# the replayed ring's sequences going on as if no record was lost.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 11 --rate max \
    --count 5000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap" ||
    fail "shmreader"
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
"$BIN/recorder" --ring "$RING" --flush 50 --block 200 "$H" 2>"$T/rec.err" &
RPID=$!
track $RPID
wait_for 10 recorded_up_to "$H" "$cursor" || fail "the recorder did not reach seq $cursor"
kill -TERM $RPID
wait $RPID || fail "recorder exit status $?: $(cat "$T/rec.err")"
f=$(ls "$H"/*/*.tph)
cp "$f" "$T/good.tph"
cp "$f.idx" "$T/good.idx"
$CAP blocks "$f.idx" >"$T/blocks"
[ "$(wc -l <"$T/blocks")" -ge 8 ] || fail "only $(wc -l <"$T/blocks") blocks"

# expect LINE [gap]: the ring's records but those of block LINE of
# $T/blocks, as replayed; for recorder cat, with a gap record for them
# if gap (a block in the middle: the record after it shows the loss)
expect() {
	b=$(sed -n "$1p" "$T/blocks")
	off=$(echo "$b" | cut -d ' ' -f 1)
	zlen=$(echo "$b" | cut -d ' ' -f 2)
	first=$(echo "$b" | cut -d ' ' -f 3)
	last=$(echo "$b" | cut -d ' ' -f 4)
	{ head -c $((64 + (first - 1) * 256)) "$T/ring.cap"
	  tail -c +$((64 + last * 256 + 1)) "$T/ring.cap"; } >"$T/want.rep"
	{ head -c $((64 + (first - 1) * 256)) "$T/ring.cap"
	  [ "${2:-}" != gap ] || $CAP gap "$first" $((last - first + 1))
	  tail -c +$((64 + last * 256 + 1)) "$T/ring.cap"; } >"$T/want.cap"
}

# check WHAT MESSAGE [TOLD]: recorder cat says MESSAGE, exits 65, reads
# the rest; so does collector replay, which replays the rest and tells
# the ring's readers of the loss where records follow it, by a status
# resync per venue (TOLD: "venue reason" lines; after the last block,
# at the end)
check() {
	"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err"
	assert_eq "$1: exit status" 65 "$?"
	grep -q "$2" "$T/err" || fail "$1: not said: $(cat "$T/err")"
	assert_eq "$1: lines said" 1 "$(wc -l <"$T/err" | tr -d ' ')"
	cmp "$T/want.cap" "$T/got.cap" || fail "$1: the other blocks differ"
	"$BIN/collector" --ring "$RING.r" --capacity 65536 replay --speed max \
	    "$H" 2>"$T/err"
	assert_eq "$1: replay exit status" 65 "$?"
	grep -q "${2#^recorder}" "$T/err" || fail "$1: replay did not say it: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.r" --no-follow --format raw >"$T/rep.cap"
	"$BIN/shmreader" --ring "$RING.r" --unlink
	$CAP told "$T/rep.cap" "$T/rep.untold" >"$T/told"
	assert_eq "$1: replay: told to the ring" "${3:-}" "$(cat "$T/told")"
	$CAP noseq "$T/want.rep" "$T/want.noseq"
	$CAP noseq "$T/rep.untold" "$T/rep.noseq"
	cmp "$T/want.noseq" "$T/rep.noseq" || fail "$1: replay: the other blocks differ"
}

# told LOST FROM: the status told for the sim venue
told() {
	echo "1 replay: the recording lost $1 records from seq $2; books wait for a snapshot"
}

# a byte of block 3's frame
expect 3 gap
$CAP flip "$f" $((off + 64 + zlen / 2))
check "frame byte" "^recorder: $f: block at offset $off (seq $first\.\.$last): checksum mismatch, $((last - first + 1)) records skipped$" \
    "$(told $((last - first + 1)) "$first")"

# a byte of block 5's header, with the sidecar and without
cp "$T/good.tph" "$f"
expect 5 gap
$CAP flip "$f" $((off + 17))
check "header byte, sidecar" "^recorder: $f: block at offset $off (seq $first\.\.$last): damaged header, $((last - first + 1)) records skipped$" \
    "$(told $((last - first + 1)) "$first")"
rm "$f.idx"
check "header byte, scan" "^recorder: $f: damaged block header at offset $off: $((zlen + 64)) bytes skipped to the next block$" \
    "$(told $((last - first + 1)) "$first")"

# a byte of the last block's header, with the sidecar and without: no
# block follows, but a whole header that is not valid is damage, not a
# torn block (one write(2) a block leaves a valid header or less than
# one); it was said "torn ... ignored", exit 0, its records lost unsaid.
# Its records are told at the end of the replay: as many as its index
# tells, or how many unknown without it
cp "$T/good.tph" "$f"
cp "$T/good.idx" "$f.idx"
expect "$(wc -l <"$T/blocks")"
$CAP flip "$f" $((off + 17))
check "last header byte, sidecar" "^recorder: $f: block at offset $off (seq $first\.\.$last): damaged header, $((last - first + 1)) records skipped$" \
    "$(told $((last - first + 1)) "$first")"
rm "$f.idx"
check "last header byte, scan" "^recorder: $f: damaged block header at offset $off: $((zlen + 64)) bytes to the end of the file that are no block, skipped$" \
    "1 replay: the recording lost records from seq $first at its end, how many unknown; books wait for a snapshot"
# less than a header after the last block: torn, said, not an error
head -c $((off + 63)) "$T/good.tph" >"$f"
"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err" ||
    fail "63 bytes after the last block: exit $?: $(cat "$T/err")"
grep -q "^recorder: $f: torn last block at offset $off: 63 bytes that are no whole block, ignored$" \
    "$T/err" || fail "63 bytes after the last block: $(cat "$T/err")"
cmp "$T/want.cap" "$T/got.cap" || fail "63 bytes after the last block: differs"
# 64 MiB of block magics after a file header: damage, read in a moment
# (a pread for each magic took 9 s)
mkdir "$T/g"
{ head -c 64 "$T/good.tph"
  /usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"TPHB" * (1 << 24))'
} >"$T/g/g.tph"
"$BIN/recorder" cat "$T/g" >"$T/got" 2>"$T/err"
assert_eq "64 MiB of magics: exit status" 65 "$?"
grep -q "^recorder: $T/g/g.tph: damaged block header at offset 64: 67108864 bytes to the end of the file that are no block, skipped$" \
    "$T/err" || fail "64 MiB of magics: $(cat "$T/err")"
rm -r "$T/g"

# undamaged, it reads whole again
cp "$T/good.tph" "$f"
"$BIN/recorder" cat --format raw "$H" >"$T/got.cap" 2>"$T/err" ||
    fail "undamaged: exit $?: $(cat "$T/err")"
cmp "$T/ring.cap" "$T/got.cap" || fail "undamaged file differs from the ring"
exit 0
