#!/bin/sh
# t-redispub-signals: readiness, SIGUSR1 and SIGTERM.
#  - readiness: -d FD gets its newline only once Redis is connected;
#  - SIGUSR1 prints one line of counters;
#  - SIGTERM with lines held back (Redis stopped) flushes them once Redis
#    answers again, then exits 0: a subscriber receives every line;
#  - SIGTERM while Redis stays stopped waits --flush-timeout, then exits 0
#    with every undelivered line counted as dropped and logged.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=5000
"$GEN" --count "$N" --symbols 2 >"$T/in"

# start_rp ARGS...: redispub reading a FIFO that stays open, readiness on
# $T/ready; $T/in goes into the FIFO once $T/go exists.  Sets RP_PID.
start_rp() {
	rm -f "$T/fifo" "$T/ready" "$T/go"
	mkfifo "$T/fifo"
	{
		while [ ! -e "$T/go" ]; do sleep 0.05; done
		cat "$T/in"
		exec sleep 600
	} >"$T/fifo" &
	track $!
	"$RP" -d 3 "$@" <"$T/fifo" 3>"$T/ready" 2>"$T/err" &
	RP_PID=$!
	track $RP_PID
}

# has_read N: redispub's SIGUSR1 counters say it has read N lines
has_read() {
	kill -USR1 "$RP_PID"
	sleep 0.05
	grep -q "counters: lines=$1 " "$T/err"
}

readiness() {
	port=$(free_port)
	start_rp -u "redis://127.0.0.1:$port" --connect-timeout 30
	sleep 0.5
	[ ! -s "$T/ready" ] || fail "ready before Redis was reachable"
	mkdir -p "$T/r0"
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	    --dir "$T/r0" --daemonize no --logfile "$T/r0/log" &
	r0=$!
	track $r0
	wait_for 10 test -s "$T/ready" || fail "no readiness after connecting"
	assert_eq "readiness" "" "$(cat "$T/ready")"
	touch "$T/go"
	wait_for 10 has_read "$N" || fail "lines not read: $(tail -n 1 "$T/err")"
	kill -TERM "$RP_PID"
	wait "$RP_PID"
	assert_eq "exit status" 0 "$?"
	assert_eq "published" "$N" "$(counter published "$T/err")"
	note "readiness after connecting; SIGUSR1: $(grep -m 1 counters: "$T/err")"
	kill "$r0"
	wait "$r0"
}

term_flushes() {
	start_redis
	"$SUB" -p -n "$N" -t 60 -P "$REDIS_PORT" 'md.sim.*' >"$T/got" &
	sub=$!
	track $sub
	wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
	start_rp -u "$REDIS_URL"
	wait_for 10 test -s "$T/ready" || fail "not ready"
	kill -STOP "$REDIS_PID"
	touch "$T/go"
	wait_for 10 has_read "$N" || fail "lines not read: $(tail -n 1 "$T/err")"
	grep -q "counters: .* buffered=$N " "$T/err" || fail "not all held back: $(grep counters: "$T/err" | tail -n 1)"
	kill -TERM "$RP_PID"
	sleep 0.5
	kill -0 "$RP_PID" || fail "exited before flushing"
	kill -CONT "$REDIS_PID"
	wait "$RP_PID"
	assert_eq "exit status" 0 "$?"
	wait $sub || fail "subscriber failed"
	cmp -s "$T/in" "$T/got" || fail "subscriber got $(wc -l <"$T/got") of $N lines"
	assert_eq "published" "$N" "$(counter published "$T/err")"
	assert_eq "dropped" 0 "$(counter dropped "$T/err")"
}

term_bounded() {
	start_rp -u "$REDIS_URL" --flush-timeout 1
	wait_for 10 test -s "$T/ready" || fail "not ready"
	kill -STOP "$REDIS_PID"
	touch "$T/go"
	wait_for 10 has_read "$N" || fail "lines not read"
	start=$(ms)
	kill -TERM "$RP_PID"
	wait "$RP_PID"
	rc=$?
	took=$(( $(ms) - start ))
	kill -CONT "$REDIS_PID"
	assert_eq "exit status" 0 "$rc"
	[ "$took" -lt 5000 ] || fail "took $took ms to stop with --flush-timeout 1"
	grep -q "dropping $N undelivered messages" "$T/err" || fail "drop not logged: $(cat "$T/err")"
	assert_eq "published + dropped" "$N" "$(( $(counter published "$T/err") + $(counter dropped "$T/err") ))"
	note "stopped in $took ms: $(grep exiting: "$T/err")"
}

readiness
term_flushes
term_bounded
