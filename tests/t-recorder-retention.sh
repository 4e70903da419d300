#!/bin/sh
# t-recorder-retention: when it opens a file, the recorder removes the
# files (with their index sidecars) last modified longer ago than
# --keep-age, then the oldest files while the history is larger than
# --keep-size, saying each; it keeps the others and the file it writes.
# Only its own files (its --name's) count and go: another recorder's in
# the same directory, old and large, stay.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
t0=$(date -u -d 2026-11-30T13:50:00Z +%s)000000000

# six one-minute files of 2026-11-30
"$BIN/collector" --ring "$RING.src" sim --seed 2 --count 3000 --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.src" --no-follow --format raw >"$T/sim.cap"
$CAP spread "$T/sim.cap" "$T/six.cap" "$t0" $((6 * 60 * 1000000000))
"$BIN/collector" --ring "$RING.a" replay --speed max "$T/six.cap" \
    2>"$T/err" || fail "collector replay: $(cat "$T/err")"
"$BIN/recorder" --ring "$RING.a" --rotate 60 --flush 20 "$H" 2>"$T/err" &
RPID=$!
track $RPID
six() { [ "$(ls "$H"/2026-11-30/*.tph | wc -l)" -eq 6 ]; }
wait_for 10 six || fail "no six files: $(ls "$H"/*)"
sleep 0.3
kill -TERM $RPID
wait $RPID || fail "recorder: exit $?: $(cat "$T/err")"
ls "$H"/2026-11-30/*.tph >"$T/files"
file() { sed -n "$1p" "$T/files"; }

# by age: the first two were last written three days ago
touch -d '3 days ago' "$(file 1)" "$(file 2)"
# another recorder's files (--name other): older and larger than all
other=$H/2026-11-30/other-2026-11-30T13.0001.tph
head -c 1000000 /dev/zero >"$other"
head -c 100 /dev/zero >"$other.idx"
touch -d '3 days ago' "$other" "$other.idx"
# record MSGS: the recorder records a few fresh messages, with OPTIONS
record() {
	ring=$RING.$1
	shift
	"$BIN/collector" --ring "$ring" sim --count 20 --rate max 2>"$T/err" ||
		fail "collector sim: $(cat "$T/err")"
	"$BIN/recorder" --ring "$ring" --flush 20 "$@" "$H" 2>"$T/rec.err" &
	RPID=$!
	track $RPID
	wait_for 10 grep -q 'retention\|status' "$T/rec.err"
	sleep 0.3
	kill -TERM $RPID
	wait $RPID || fail "recorder $*: exit $?: $(cat "$T/rec.err")"
}
record b --keep-age 2d
for i in 1 2; do
	[ -e "$(file $i)" ] && fail "keep-age: $(file $i) not removed"
	[ -e "$(file $i).idx" ] && fail "keep-age: $(file $i).idx not removed"
	grep -q "^recorder: retention: removed $(file $i) (older than --keep-age)$" \
	    "$T/rec.err" || fail "keep-age: removal not said: $(cat "$T/rec.err")"
done
for i in 3 4 5 6; do
	[ -e "$(file $i)" ] || fail "keep-age: $(file $i) removed"
done
assert_eq "keep-age: removals" 2 "$(grep -c "retention: removed" "$T/rec.err")"

# by size: room for files 5 and 6, today's file and a new one, not for 4
size() { echo $(($(stat -c %s "$1") + $(stat -c %s "$1.idx"))); }
today=
for f in "$H"/*/*.tph; do
	case $f in */2026-11-30/*) ;; *) today=$f ;; esac
done
[ -n "$today" ] || fail "no file of fresh messages"
keep=$(($(size "$(file 5)") + $(size "$(file 6)") + $(size "$today") + 64))
record c --keep-size "$keep"
for i in 3 4; do
	[ -e "$(file $i)" ] && fail "keep-size: $(file $i) not removed"
	grep -q "^recorder: retention: removed $(file $i) (over --keep-size)$" \
	    "$T/rec.err" || fail "keep-size: removal not said: $(cat "$T/rec.err")"
done
for f in "$(file 5)" "$(file 6)" "$today"; do
	[ -e "$f" ] || fail "keep-size: $f removed"
done
assert_eq "keep-size: removals" 2 "$(grep -c "retention: removed" "$T/rec.err")"
for f in "$other" "$other.idx"; do
	[ -e "$f" ] || fail "another recorder's $f was removed"
done
exit 0
