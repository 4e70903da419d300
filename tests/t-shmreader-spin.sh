#!/bin/sh
# t-shmreader-spin: on an idle ring, shmreader by default (--spin-us 0)
# and with --spin --spin-us 0 (the later counts) sleeps: it uses next to
# no CPU; with --spin-us 1000000 it spins: it uses CPU time the whole
# while it can get it.  Then all three print the same messages.  The
# bounds are CPU time over 2 s of wall time, wide enough for a busy
# machine: a sleeper at most 5 ticks, the spinner at least 20.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=3000

"$BIN/collector" --ring "$RING" --capacity 65536 sim --count 1 --rate max \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"

# start NAME ARGS...: a following reader from the next record
start() {
	_n=$1
	shift
	"$BIN/shmreader" --ring "$RING" --from latest --count $N -d 3 "$@" \
	    3>"$T/$_n.ready" >"$T/$_n.out" 2>"$T/$_n.err" &
	eval "pid_$_n=\$!"
	track $!
}
start dflt
start spin --spin-us 1000000
start later --spin --spin-us 0
for r in dflt spin later; do
	wait_for 30 test -s "$T/$r.ready" || fail "$r: not ready: $(cat "$T/$r.err")"
done

ticks() {	# PID: its user + system CPU time, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
# shellcheck disable=SC2154 # pid_*: set by start
for r in dflt spin later; do eval "t0_$r=\$(ticks \$pid_$r)"; done
sleep 2
# shellcheck disable=SC2154
for r in dflt spin later; do
	eval "used_$r=\$((\$(ticks \$pid_$r) - t0_$r))"
done
# shellcheck disable=SC2154
note "CPU ticks over 2 s idle: default $used_dflt, --spin-us 1000000 $used_spin, --spin --spin-us 0 $used_later"
[ "$used_dflt" -le 5 ] || fail "the default reader used $used_dflt ticks idle: it spins"
[ "$used_later" -le 5 ] ||
    fail "--spin --spin-us 0 used $used_later ticks idle: the later option did not count"
[ "$used_spin" -ge 20 ] || fail "--spin-us 1000000 used only $used_spin ticks: it sleeps"

"$BIN/collector" --ring "$RING" sim --count $N --rate 20000 2>"$T/cerr" ||
    fail "collector sim: $(cat "$T/cerr")"
# shellcheck disable=SC2154
for r in dflt spin later; do
	eval "p=\$pid_$r"
	wait_for 30 sh -c "! kill -0 $p 2>/dev/null" || fail "$r: still reading"
	assert_eq "$r: lines" $N "$(wc -l <"$T/$r.out" | tr -d ' ')"
done
cmp -s "$T/dflt.out" "$T/spin.out" || fail "the spinning reader printed other lines"
cmp -s "$T/dflt.out" "$T/later.out" || fail "--spin --spin-us 0 printed other lines"
exit 0
