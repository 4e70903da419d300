# shellcheck shell=sh
# tests/redispub/rp.sh: sourced by the t-redispub-*.sh tests, after
# lib.sh.  Names the programs and gives small helpers.
RP=$BIN/redispub
GEN=$BIN/tests/rp-gen
SUB=$BIN/tests/rp-sub
for _p in "$RP" "$GEN" "$SUB"; do
	[ -x "$_p" ] || fail "$_p not built"
done

# book ARGS...: the expectation helper (see book.py)
book() { /usr/bin/python3 "$TESTS/redispub/book.py" "$@"; }

# subscribed N: true when Redis counts N channel + pattern subscriptions
subscribed() {
	[ "$(( $(rcli pubsub numpat) + $(rcli pubsub channels | grep -c .) ))" -ge "$1" ]
}

# publish_in SUBS: once Redis counts SUBS subscriptions, redispub
# publishes all of $T/in (stderr in $T/err) and must exit 0.
publish_in() {
	wait_for 10 subscribed "$1" || fail "subscribers did not subscribe"
	"$RP" -u "$REDIS_URL" <"$T/in" 2>"$T/err" ||
	    { _pi_rc=$?; cat "$T/err"; fail "redispub exited $_pi_rc"; }
}

# gen_fifo ARGS...: rp-gen ARGS into the fifo $T/fifo for redispub to
# read, a copy in $T/in: through fifos, so that each process is tracked
gen_fifo() {
	mkfifo "$T/gen" "$T/fifo"
	"$GEN" "$@" >"$T/gen" &
	track $!
	tee "$T/in" <"$T/gen" >"$T/fifo" &
	track $!
}

# counter NAME FILE: NAME=VALUE from redispub's last "exiting:" line
counter() {
	sed -n "s/.*exiting:.* $1=\\([0-9]*\\).*/\\1/p" "$2" | tail -n 1
}

# keys_parts C: 3000 generated lines (2 symbols, a snapshot every 1000) in
# $T/in, cut in parts: $T/a (lines 1-1000), $T/b1 (1001-1100), $T/b2
# (1101-2000), $T/c (from 2001, starting with a snapshot of C); b1 and b2
# hold deltas of C.  $T/keys.a: C's keys after part a (book.py keys).
keys_parts() {
	"$GEN" --count 3000 --symbols 2 --snapshot-every 1000 >"$T/in"
	sed -n '1,1000p' "$T/in" >"$T/a"
	sed -n '1001,1100p' "$T/in" >"$T/b1"
	sed -n '1101,2000p' "$T/in" >"$T/b2"
	sed -n '2001,$p' "$T/in" >"$T/c"
	_kp=$(echo "$1" | sed 's/^md\.sim\.//; s/\.book$//')
	head -n 1 "$T/c" | grep -q "book_snapshot.*$_kp" ||
	    fail "part c does not start with a snapshot of $_kp"
	grep -q "book_delta.*$_kp" "$T/b1" || fail "part b1 has no delta of $_kp"
	grep -q "book_delta.*$_kp" "$T/b2" || fail "part b2 has no delta of $_kp"
	book keys "$1" <"$T/a" >"$T/keys.a"
}

# keys_feed_a C: redispub (RP_PID) reading the fifo $T/fifo, held open
# on descriptor 3 (stderr in $T/err), is fed part a of keys_parts, and
# C's deltas of part a are in C.deltas.
keys_feed_a() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/fifo" 2>"$T/err" &
	RP_PID=$!
	track "$RP_PID"
	exec 3>"$T/fifo"
	cat "$T/a" >&3
	_kc=$1 _kf=$(($(wc -l <"$T/keys.a") - 1))
	wait_for 20 eval 'test "$(rdeltas "$_kc.deltas" | wc -l)" = "$_kf"' ||
	    fail "the deltas of part a did not arrive"
}

# standby_fed N: with lease md.lease held by another, a redispub --lease
# md.lease (pid in rp, stderr in $T/err) standing by is fed $T/in through
# a fifo left open on fd 3; returns once its counters (SIGUSR1) say it
# read all N lines, dropped as standby or malformed.
standby_fed() {
	rcli set md.lease another PX 60000 >/dev/null
	mkfifo "$T/fifo"
	"$RP" -u "$REDIS_URL" --lease md.lease --lease-ms 300 <"$T/fifo" \
	    2>"$T/err" &
	rp=$!
	track $rp
	exec 3>"$T/fifo"
	wait_for 10 grep -q "lease md.lease is another's: standing by" "$T/err" ||
		fail "not standing by: $(cat "$T/err")"
	cat "$T/in" >&3
	_sf=$1
	wait_for 10 standby_read_all ||
		fail "not all $_sf lines read: $(grep counters: "$T/err" | tail -n 1)"
}
# shellcheck disable=SC2317 # called by wait_for
standby_read_all() {
	kill -USR1 "$rp"
	sleep 0.1
	_c=$(grep 'counters:' "$T/err" | tail -n 1)
	_m=$(echo "$_c" | sed -n 's/.* malformed=\([0-9]*\).*/\1/p')
	_s=$(echo "$_c" | sed -n 's/.* standby=\([0-9]*\).*/\1/p')
	[ "$((${_m:-0} + ${_s:-0}))" = "$_sf" ]
}

# taken_heard N: a subscriber of md.*.status for N lines (its output in
# $T/got, its pid in sub), then the lease freed; returns once the
# standby of standby_fed says it took it.
taken_heard() {
	"$SUB" -p -n "$1" -t 10 -P "$REDIS_PORT" 'md.*.status' >"$T/got" &
	sub=$!
	track $sub
	wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
	rcli del md.lease >/dev/null
	wait_for 10 grep -q "lease md.lease taken" "$T/err" ||
		fail "the lease not taken: $(cat "$T/err")"
}
