#!/bin/sh
# t-recorder-cat-damaged: a damaged history does not read as whole.
# Records missing: each file's header names the last seq recorded before
# it; when the file before it ends elsewhere (a file removed, or cut back
# to a block boundary with its index left, even among the files of
# another --name), `recorder cat` says which records are missing and
# exits 65, printing what is there; so it does
# for the last file cut so, which its index shows.  So it does for a
# block cut out of the middle of a file, or one repeated there: a
# recorder writes every record and gap in ring order, so the block after
# it does not go on from the one before.  A file whose
# header is damaged (one byte of its magic) or that is shorter than a
# header is said, "(file skipped)", and the files after it are read: cat
# prints the records of every other file, as each prints alone, and its
# records as a gap where they were, and exits 65 (recorder(1)); it used
# to stop there with exit 74, hiding the rest.
# A path that does not exist is said, and the paths after it are read
# (exit 66); so is a day directory that cannot be read.  The whole history reads with nothing said.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

record_sim_files "$H"
set -- "$H"/*/sim-*.tph
[ $# -ge 3 ] || fail "$# files: $(ls -l "$H"/*)"
bad=$2
"$BIN/recorder" cat "$H" >"$T/whole" 2>"$T/err" ||
    fail "cat of the whole history: exit $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "whole: $(cat "$T/err")"

# the second file removed
cp -a "$H" "$T/h1"
rm "$T/h1/${2#"$H"/}" "$T/h1/${2#"$H"/}.idx"
"$BIN/recorder" cat "$T/h1" >"$T/got" 2>"$T/err"
assert_eq "file removed: exit status" 65 "$?"
grep -q "missing from the history" "$T/err" || fail "file removed: $(cat "$T/err")"
[ "$(wc -l <"$T/got")" -lt "$(wc -l <"$T/whole")" ] ||
    fail "file removed: as many lines as the whole history"

# the second file cut back at its last block's offset, index kept
cp -a "$H" "$T/h2"
f=$T/h2/${2#"$H"/}
cut=$($CAP blocks "$f.idx" | tail -n 1 | cut -d ' ' -f 1)
truncate -s "$cut" "$f"
"$BIN/recorder" cat "$T/h2" >"$T/got" 2>"$T/err"
assert_eq "file cut: exit status" 65 "$?"
grep -q "missing from the history" "$T/err" || fail "file cut: $(cat "$T/err")"

# the last file cut back at its last block's offset, index kept: no file
# follows to show it, its index does (it was closed at the larger size)
cp -a "$H" "$T/h4"
for last; do :; done
f=$T/h4/${last#"$H"/}
cut=$($CAP blocks "$f.idx" | tail -n 1 | cut -d ' ' -f 1)
truncate -s "$cut" "$f"
"$BIN/recorder" cat "$T/h4" >"$T/got" 2>"$T/err"
assert_eq "last file cut: exit status" 65 "$?"
grep -q "$f: $cut bytes, [0-9]* when it was closed: cut short" "$T/err" ||
    fail "last file cut: $(cat "$T/err")"

# the first file's second block cut out, then repeated, its index removed
# (kept, it would tell the file's size changed): the blocks are scanned
$CAP blocks "$1.idx" >"$T/blocks"
[ "$(wc -l <"$T/blocks")" -ge 3 ] || fail "$(wc -l <"$T/blocks") blocks in $1"
read -r _ _ _ l1 <"$T/blocks"
read -r o2 z2 s2 l2 <<EOF
$(sed -n 2p "$T/blocks")
EOF
e2=$((o2 + 64 + z2))
cp -a "$H" "$T/h5"
f=$T/h5/${1#"$H"/}
rm "$f.idx"
{ head -c "$o2" "$1"; tail -c "+$((e2 + 1))" "$1"; } >"$f"
"$BIN/recorder" cat "$T/h5" >"$T/got" 2>"$T/err"
assert_eq "block cut out: exit status" 65 "$?"
grep -q "^recorder: $f: block at offset $o2 (seq [0-9]*\.\.[0-9]*) follows seq $l1: records missing from the history" "$T/err" ||
    fail "block cut out (seq $s2..$l2 at $o2): $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "block cut out: $(cat "$T/err")"
{ head -c "$e2" "$1"; tail -c "+$((o2 + 1))" "$1"; } >"$f"
"$BIN/recorder" cat "$T/h5" >"$T/got" 2>"$T/err"
assert_eq "block repeated: exit status" 65 "$?"
grep -q "^recorder: $f: block at offset $e2 (seq $s2\.\.$l2) follows seq $l2: records repeated in the history" "$T/err" ||
    fail "block repeated: $(cat "$T/err")"

# a day directory that cannot be read: said, 66, not an empty history
# (root reads anything: as root, run as nobody)
cp -a "$H" "$T/h3"
chmod a+x "$T"
chmod -R a+rX "$T/h3"
day=$(dirname "$2")
day=$T/h3/${day#"$H"/}
chmod 000 "$day"
as=''
[ "$(id -u)" != 0 ] || as='setpriv --reuid=65534 --regid=65534 --clear-groups'
if [ -n "$as" ] && ! command -v setpriv >/dev/null; then
	note "no setpriv: an unreadable day directory not tried as root"
else
	$as "$BIN/recorder" cat "$T/h3" >"$T/got" 2>"$T/err"
	assert_eq "day unreadable: exit status" 66 "$?"
	grep -q "$day: Permission denied" "$T/err" ||
	    fail "day unreadable: $(cat "$T/err")"
fi
chmod 755 "$day"

# a damaged header; want: the records of each other file, read alone, in
# order, and a gap for the damaged one's
for f; do
	if [ "$f" = "$bad" ]; then
		gf=$($CAP blocks "$f.idx" | head -n 1 | cut -d ' ' -f 3)
		gl=$($CAP blocks "$f.idx" | tail -n 1 | cut -d ' ' -f 4)
		echo "{\"type\":\"gap\",\"from\":$gf,\"lost\":$((gl - gf + 1))}"
		continue
	fi
	"$BIN/recorder" cat "$f" 2>"$T/err" || fail "cat $f: $(cat "$T/err")"
done >"$T/want"
printf X | dd of="$bad" bs=1 seek=0 conv=notrunc 2>/dev/null
"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "magic damaged: exit status" 65 "$?"
grep -q "$bad.*(file skipped)" "$T/err" || fail "magic damaged: $(cat "$T/err")"
cmp "$T/want" "$T/got" >/dev/null ||
    fail "magic damaged: $(wc -l <"$T/got") lines, not the other files' $(wc -l <"$T/want")"
: >"$bad"
"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "empty file: exit status" 65 "$?"
cmp "$T/want" "$T/got" >/dev/null || fail "empty file: not the other files' records"

# a path that does not exist: said, 66, and the paths after it read
"$BIN/recorder" cat "$T/nonexistent" "$H" >"$T/got2" 2>"$T/err"
assert_eq "missing path first: exit status" 66 "$?"
grep -q "$T/nonexistent" "$T/err" || fail "missing path: $(cat "$T/err")"
cmp "$T/got" "$T/got2" >/dev/null ||
    fail "missing path first: the next path not read ($(wc -l <"$T/got2") lines)"

# two --name sets in one directory, whose files alternate by time: the
# second of one name's three files removed is said too (it was not: the
# file before it in the list was the other name's)
"$BIN/shmreader" --ring "$RING" --unlink
h=1796220000000000000	# 2026-12-02T14:00Z
for p in 1 2 3; do
	trade_line "$p" $((h + (p - 1) * 60000000000)) $((h + p))
done >"$T/lines"
for n in a b; do
	H=$T/h$n
	record_lines 3 --name "$n" --rotate 60
	"$BIN/shmreader" --ring "$RING" --unlink
	mkdir -p "$T/hab"
	cp -R "$H"/. "$T/hab"
done
[ "$(ls "$T"/hab/*/*.tph | wc -l)" = 6 ] || fail "two names: $(ls "$T"/hab/*)"
"$BIN/recorder" cat "$T/hab" >"$T/got" 2>"$T/err" ||
    fail "two names: exit $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "two names: $(cat "$T/err")"
rm "$T"/hab/*/a-*T1401.0001.tph*
"$BIN/recorder" cat "$T/hab" >"$T/got" 2>"$T/err"
assert_eq "two names, a file removed: exit status" 65 "$?"
grep -q "a-.*T1402.0001.tph: follows seq 2, but .*a-.*T1400.0001.tph ends at seq 1: records missing from the history" "$T/err" ||
    fail "two names, a file removed: $(cat "$T/err")"
exit 0
