#!/bin/sh
# t-recorder-rt-prio: the recorder's reader thread, and only it, runs
# under SCHED_FIFO at --rt-prio (1 by default); the writer thread keeps
# the normal policy at --writer-nice, even in a recorder started
# real-time; --rt-prio 0 leaves the reader as it was started; a real-time
# reader that has caught up naps instead of spinning (it takes little
# processor time) and records every record; without the permission one
# line on standard error says so and the recorder goes on under the
# normal policy.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
chrt -f 7 true 2>/dev/null || skip "SCHED_FIFO not permitted here"

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 3 --rate 2000 \
    2>"$T/sim.err" &
CPID=$!
track $CPID
wait_for 10 "$BIN/shmreader" --ring "$RING" --stat || fail "no ring"

# start NAME [WRAPPER...] -- OPTIONS...: a recorder into T/NAME, ready
start() {
	_n=$1
	shift
	_w=''
	while [ "$1" != -- ]; do _w="$_w $1"; shift; done
	shift
	# shellcheck disable=SC2086 # the wrapper's words
	$_w "$BIN/recorder" -d 3 --ring "$RING" --flush 50 "$@" "$T/$_n" \
	    2>"$T/$_n.err" 3>"$T/$_n.ready" &
	RPID=$!
	track $RPID
	wait_for 10 test -s "$T/$_n.ready" || fail "$_n: not ready: $(cat "$T/$_n.err")"
}
# sched TID: "nice rt_priority policy" of a thread of RPID (proc(5))
sched() { cut -d ' ' -f 19,40,41 "/proc/$RPID/task/$1/stat"; }
# writer: the thread id of the writer (the thread that is not the main)
writer() {
	for _t in "/proc/$RPID/task/"*; do
		[ "${_t##*/}" = "$RPID" ] || echo "${_t##*/}"
	done
}
# ticks TID: user + system clock ticks of a thread
ticks() { echo $(($(cut -d ' ' -f 14,15 "/proc/$RPID/task/$1/stat" | tr ' ' '+'))); }

# 1. by default the reader real-time at 1, the writer not
start a --
assert_eq "reader: nice, priority, policy (1 SCHED_FIFO)" "0 1 1" "$(sched "$RPID")"
w=$(writer)
assert_eq "writer: nice, priority, policy (0 SCHED_OTHER)" "10 0 0" "$(sched "$w")"
# caught up with 2000 records a second, it naps: a reader that spun
# would take the whole second
t0=$(ticks "$RPID")
sleep 1
t1=$(ticks "$RPID")
hz=$(getconf CLK_TCK)
[ $(((t1 - t0) * 1000 / hz)) -lt 200 ] ||
	fail "real-time reader took $(((t1 - t0) * 1000 / hz)) ms of 1000 while caught up"
[ -s "$T/a.err" ] && fail "said: $(cat "$T/a.err")"
kill -TERM $RPID
wait $RPID || fail "recorder: exit $?: $(cat "$T/a.err")"

# 2. started real-time: the writer leaves it, the reader takes --rt-prio
start b chrt -f 5 -- --rt-prio 7 --writer-nice 4
assert_eq "started under chrt, --rt-prio 7: reader" "0 7 1" "$(sched "$RPID")"
assert_eq "started under chrt: writer" "4 0 0" "$(sched "$(writer)")"
kill -TERM $RPID
wait $RPID || fail "recorder under chrt: exit $?: $(cat "$T/b.err")"
start b2 chrt -f 5 -- --rt-prio 0
assert_eq "started under chrt, --rt-prio 0: reader" "0 5 1" "$(sched "$RPID")"
assert_eq "started under chrt, --rt-prio 0: writer" "10 0 0" "$(sched "$(writer)")"
kill -TERM $RPID
wait $RPID || fail "recorder under chrt: exit $?: $(cat "$T/b2.err")"

# 3. without the permission (no CAP_SYS_NICE, an RLIMIT_RTPRIO of 0):
# one line, and it records
start c setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice prlimit --rtprio=0 -- --rt-prio 3
assert_eq "not permitted: reader" "0 0 0" "$(sched "$RPID")"
assert_eq "not permitted: lines said" 1 "$(wc -l <"$T/c.err" | tr -d ' ')"
grep -q "^recorder: --rt-prio 3: SCHED_FIFO: .*normal policy" "$T/c.err" ||
	fail "not permitted: said '$(cat "$T/c.err")'"
kill -TERM $CPID
wait $CPID
cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
# shellcheck disable=SC2317 # called by wait_for
written() {
	kill -USR1 "$RPID"
	sleep 0.05
	grep -q " last_seq $cursor " "$T/c.err"
}
wait_for 10 written || fail "not permitted: did not record up to $cursor"
kill -TERM $RPID
wait $RPID || fail "recorder not permitted: exit $?: $(cat "$T/c.err")"

# what the real-time reader recorded is the ring's, byte for byte
"$BIN/recorder" cat --format raw "$T/a" >"$T/a.cap" 2>"$T/err" ||
	fail "recorder cat: $(cat "$T/err")"
n=$((($(wc -c <"$T/a.cap") - 64) / 256))
[ "$n" -gt 1000 ] || fail "real-time reader recorded $n records"
"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/ring.cap"
head -c $((64 + n * 256)) "$T/ring.cap" | cmp -s - "$T/a.cap" ||
	fail "real-time reader: the history is not the ring's records"
exit 0
