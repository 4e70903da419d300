#!/bin/sh
# t-recorder-second-refused: while a recorder records a ring into a
# directory under its name, a second recorder of the same directory and
# name is refused (exit 75), the ring named the same way or by its path
# (tickpipe-ring(5)), and so is one of another ring under that name: the
# two rings' files would mix under one name (recorder(1), Crashes and
# restarts). One of another ring under a name of its own records.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

"$BIN/collector" --ring "$RING" sim --count 100 2>"$T/sim.err" ||
	fail "collector sim: $(cat "$T/sim.err")"
rec_start rec1 --flush 50

# refused WHAT ERR ARGS...: a recorder of ARGS into $H must be refused,
# exit 75, its stderr in ERR
refused() {
	_what=$1 _err=$2
	shift 2
	"$BIN/recorder" "$@" "$H" 2>"$_err" &
	_rp=$!
	track $_rp
	wait_pid 10 $_rp "$_what"
	wait $_rp
	assert_eq "$_what: exit" 75 "$?"
}
# the same directory and name: refused while the first one runs
refused "a second recorder" "$T/second.err" --ring "$RING"
grep -q "another recorder records ring $RING there" "$T/second.err" ||
	fail "the second recorder said: $(cat "$T/second.err")"
# so is one naming the ring by its path: it made a queue of its own and
# recorded every record a second time
refused "a recorder of the ring's path" "$T/third.err" \
    --ring "/dev/shm/tickpipe.$RING"
# and one of another ring under the same name
"$BIN/collector" --ring "${RING}b" sim --count 10 2>"$T/ringb.err" ||
	fail "ring ${RING}b: $(cat "$T/ringb.err")"
refused "a recorder of another ring under the same name" "$T/fourth.err" \
    --ring "${RING}b"
grep -q "another recorder records ring $RING there as tickpipe: give each ring its own --name" \
    "$T/fourth.err" || fail "the recorder of another ring said: $(cat "$T/fourth.err")"
ls /dev/shm/tickpipe."${RING}b".recorder.* >/dev/null 2>&1 &&
	fail "the refused recorder left its queue"
"$BIN/recorder" -d 3 --ring "${RING}b" --name other "$H" \
    2>"$T/fifth.err" 3>"$T/fifth.ready" &
p5=$!
track $p5
wait_for 10 test -s "$T/fifth.ready" ||
	fail "another ring under another name: $(cat "$T/fifth.err")"
kill -TERM $p5
wait $p5 || fail "another ring under another name: exit $?: $(cat "$T/fifth.err")"
ls "$H"/*/other-* >/dev/null 2>&1 ||
	fail "another ring under another name wrote nothing: $(cat "$T/fifth.err")"
rm -f "$H"/*/other-*	# not the first recorder's history

# the first recorder, never disturbed, records its ring whole
rec_until rec1 "$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')"
exit 0
