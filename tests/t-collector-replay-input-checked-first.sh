#!/bin/sh
# t-collector-replay-input-checked-first: what `collector replay` reads is
# checked before the ring is opened (collector(1)): a file that is not a
# capture or history (bad magic), a capture of another record layout (both
# exit 65) and a history that cannot be listed (a day directory that
# cannot be read, 66) make no ring in /dev/shm, and leave an existing
# ring's epoch as it was.  The ring was made, or its epoch raised, before
# replay found out.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
H=$T/hist

"$BIN/collector" --ring "$RING.src" --capacity 1024 sim --count 10 \
    --rate max 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.src" --no-follow --format raw >"$T/cap.raw" ||
    fail "shmreader --format raw"
"$BIN/recorder" --ring "$RING.src" --flush 20 "$H" 2>"$T/rec.err" &
rp=$!
track $rp
wait_for 10 sh -c "'$BIN/recorder' cat '$H' 2>/dev/null | grep -q ." ||
    fail "nothing recorded: $(cat "$T/rec.err")"
kill -TERM $rp
wait_pid 10 $rp recorder || fail "recorder: exit $?: $(cat "$T/rec.err")"
"$BIN/shmreader" --ring "$RING.src" --unlink

echo 'not a capture' >"$T/bad"
{ head -c 16 "$T/cap.raw"; printf 'XXXXXXXX'; tail -c +25 "$T/cap.raw"; } \
    >"$T/other.raw"
# a history that cannot be listed (root reads anything: as root, the
# collector runs as nobody)
chmod a+x "$T"
chmod -R a+rX "$H"
day=$(echo "$H"/*/)
day=${day%/}
chmod 000 "$day"
as=''
[ "$(id -u)" != 0 ] || as='setpriv --reuid=65534 --regid=65534 --clear-groups'
if [ -n "$as" ] && ! command -v setpriv >/dev/null; then
	note "no setpriv: a history that cannot be listed not tried as root"
	as=skip
fi

# refused WHAT STATUS MESSAGE COMMAND...: COMMAND exits STATUS with one
# line, MESSAGE, on stderr; with ring_there unset, no ring $RING is made
ring_there=''
refused() {
	_w=$1 _s=$2 _m=$3
	shift 3
	"$@" 2>"$T/err" </dev/null
	_rc=$?
	[ -n "$ring_there" ] || [ ! -e "/dev/shm/tickpipe.$RING" ] ||
	    fail "$_w: the ring was made (exit $_rc): $(cat "$T/err")"
	assert_eq "$_w: exit status" "$_s" "$_rc"
	assert_eq "$_w: lines on stderr" 1 "$(wc -l <"$T/err")"
	grep -q "$_m" "$T/err" || fail "$_w: $(cat "$T/err")"
}

# no ring made
refused "bad magic" 65 "$T/bad: not a tickpipe capture or history (bad magic)" \
    "$BIN/collector" --ring "$RING" replay "$T/bad"
refused "other layout" 65 "$T/other.raw: capture record layout differs" \
    "$BIN/collector" --ring "$RING" replay "$T/other.raw"
if [ "$as" != skip ]; then
	# shellcheck disable=SC2086 # as: words
	refused "history not listed" 66 "$day: Permission denied" \
	    $as "$BIN/collector" --ring "$RING" replay "$H"
fi

# an existing ring's epoch kept
ring_there=1
"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 1 2>/dev/null ||
    fail "collector sim"
refused "bad magic, ring there" 65 "not a tickpipe capture or history" \
    "$BIN/collector" --ring "$RING" replay "$T/bad"
refused "other layout, ring there" 65 "capture record layout differs" \
    "$BIN/collector" --ring "$RING" replay "$T/other.raw"
assert_eq "the ring's epoch" "epoch: 1" \
    "$("$BIN/shmreader" --ring "$RING" --stat | grep '^epoch')"
"$BIN/shmreader" --ring "$RING" --unlink
chmod 755 "$day"
exit 0
