#!/bin/sh
# Sentinels that accept and never answer do not stall redispub
# (redispub(1) -u): with a sentinel:// URL naming seven of them
# (tests/wsgate/mute.py listen), then a real redis-sentinel watching a
# redis-server, each silent one is given up after 500 ms ("no reply in
# 500 ms") and the real one asked, some 3.5 s in; meanwhile redispub reads
# its input (SIGUSR1's counters show every line read before "primary
# is" is said), then finds the primary and publishes every line; a
# SIGTERM while the silent ones are asked ends it at once, exit 0.
# Asked with blocking calls, redispub served no line or signal for the
# 3.5 s.  With the silent ones alone, --connect-timeout 1 gives up (exit
# 69) with each Sentinel's failure said.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
command -v redis-sentinel >/dev/null || skip "redis-sentinel not installed"
N=200

/usr/bin/python3 "$TESTS/wsgate/mute.py" listen 7 "$T/ports" 2>"$T/mute.err" &
track $!
wait_for 10 test -s "$T/ports" || fail "mute.py did not listen: $(cat "$T/mute.err")"
MUTE=$(sed 's/^/127.0.0.1:/' "$T/ports" | paste -sd , -)

start_redis
SPORT=$(free_port)
mkdir -p "$T/s"
cat >"$T/s/conf" <<EOC
port $SPORT
bind 127.0.0.1
daemonize no
dir $T/s
logfile $T/s/log
sentinel monitor tp 127.0.0.1 $REDIS_PORT 1
EOC
redis-sentinel "$T/s/conf" >/dev/null 2>&1 &
track $!
knows() {
	redis-cli -p "$SPORT" sentinel get-master-addr-by-name tp |
	    grep -qx "$REDIS_PORT"
}
wait_for 10 knows || fail "the Sentinel does not name the primary"
URL="sentinel://$MUTE,127.0.0.1:$SPORT/tp"
"$GEN" --count "$N" --symbols 2 >"$T/in"

# start_rp ARGS...: redispub -u URL ARGS reading the fifo $T/fifo, held
# open on descriptor 3 (stderr in $T/err); sets rp.
start_rp() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$RP" -u "$URL" --stats-interval 0 "$@" <"$T/fifo" 2>"$T/err" &
	rp=$!
	track $rp
	exec 3>"$T/fifo"
}
# catches_usr1: redispub (rp) has its SIGUSR1 handler, set with
# SIGTERM's, before which either signal ends it (a sanitizer build
# starts slowly)
catches_usr1() {
	_cu=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$rp/status")
	[ "$(( 0x$_cu & 0x200 ))" -ne 0 ]
}
# has_read N: redispub's SIGUSR1 counters say it has read N lines
has_read() {
	kill -USR1 "$rp"
	sleep 0.05
	grep -q "counters: lines=$1 " "$T/err"
}

# SIGTERM while the silent Sentinels are asked
start_rp
wait_for 10 catches_usr1 || fail "signals not caught: $(cat "$T/err")"
sleep 1
kill -TERM $rp
t0=$(date +%s%N)
wait_pid 15 $rp redispub
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
exec 3>&-
note "SIGTERM 1 s into the ask: exit $rc after $ms ms"
assert_eq "exit status after SIGTERM" 0 "$rc"
grep -q "exiting:" "$T/err" || fail "no counters at exit: $(cat "$T/err")"
grep -q "primary is" "$T/err" &&
    fail "the primary found before SIGTERM: $(cat "$T/err")"
[ "$ms" -lt 1500 ] ||
    fail "ended $ms ms after SIGTERM: asking the Sentinels held redispub"

# lines read while the silent Sentinels are asked; the primary found
start_rp
cat "$T/in" >&3
wait_for 10 catches_usr1 || fail "SIGUSR1 not caught: $(cat "$T/err")"
wait_for 3 has_read "$N" ||
    fail "lines not read while the Sentinels were asked: $(tail -n 3 "$T/err")"
grep -q "primary is" "$T/err" &&
    fail "every line read only once the primary was found: $(cat "$T/err")"
wait_for 15 grep -q "primary is 127.0.0.1:$REDIS_PORT" "$T/err" ||
    fail "the primary not found: $(tail -n 3 "$T/err")"
exec 3>&-
wait_pid 15 $rp redispub
assert_eq "exit status" 0 "$?"
assert_eq "published" "$N" "$(counter published "$T/err")"

# the silent Sentinels alone: each one's failure said
URL="sentinel://$MUTE/tp"
start_rp --connect-timeout 1
wait_pid 15 $rp redispub
rc=$?
exec 3>&-
assert_eq "exit status with no Sentinel answering" 69 "$rc"
while read -r p; do
	grep -q "Sentinel 127.0.0.1:$p: no reply in 500 ms" "$T/err" ||
	    fail "Sentinel $p's silence not said: $(cat "$T/err")"
done <"$T/ports"
grep -q "no primary from the Sentinels" "$T/err" ||
    fail "no primary not said: $(cat "$T/err")"
