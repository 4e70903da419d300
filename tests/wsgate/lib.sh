# shellcheck shell=sh
# tests/wsgate/lib.sh: sourced by the t-wsgate-*.sh tests after
# tests/lib.sh.  start_wsgate runs the real wsgate on a free port against
# the private redis (start_redis first) and waits for its readiness line
# (-d); WS_URL/HTTP_URL/WS_PID name it.  wsc runs the websockets client.

[ -x "$BIN/wsgate" ] || skip "wsgate not built"
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
	skip "python3-websockets not installed"

# start_proxied DELAY_MS: the Redis seen through tests/wsgate/subconf.py's
# proxy (each command DELAY_MS late; held while $T/stall or, a key read,
# $T/stallread exists) on PROXY_PORT, and REDIS_URL naming it for
# start_wsgate; the test publishes straight to REDIS_PORT.
start_proxied() {
	PROXY_PORT=$(free_port)
	/usr/bin/python3 "$TESTS/wsgate/subconf.py" proxy "$PROXY_PORT" \
	    "$REDIS_PORT" "$1" "$T" 2>"$T/proxy.err" &
	track $!
	wait_for 10 test -e "$T/proxy.ready" || fail "proxy did not start"
	REDIS_URL="redis://127.0.0.1:$PROXY_PORT"
}

# start_wsgate ARGS...: extra wsgate options.  With WS_NOFILE set, under
# ulimit -n WS_NOFILE.
# shellcheck disable=SC2034
start_wsgate() {
	WS_PORT=$(free_port)
	rm -f "$T/ready"
	sh -c '{ [ -z "$0" ] || ulimit -n "$0"; } && exec "$@"' "${WS_NOFILE:-}" \
	    "$BIN/wsgate" -v -d 3 -l "127.0.0.1:$WS_PORT" -u "$REDIS_URL" "$@" \
	    3>"$T/ready" 2>>"$T/wsgate.log" &
	WS_PID=$!
	track "$WS_PID"
	WS_URL="ws://127.0.0.1:$WS_PORT/ws"
	HTTP_URL="http://127.0.0.1:$WS_PORT"
	wait_for 20 test -s "$T/ready" || {
		cat "$T/wsgate.log" >&2
		fail "wsgate did not become ready"
	}
}

# restart_redis [SECONDS]: SIGKILL the private redis-server, wait
# SECONDS (default 0), then start a new one, empty, on the same port.
restart_redis() {
	kill -KILL "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null
	sleep "${1:-0}"
	redis_serve
	wait_for 10 rcli ping || fail "redis did not start again"
}

# need_redispub: skips the test unless redispub and tests/rp-gen are
# built; GEN names rp-gen.
need_redispub() {
	GEN=$BIN/tests/rp-gen
	[ -x "$BIN/redispub" ] || skip "redispub not built"
	[ -x "$GEN" ] || skip "tests/redispub/rp-gen not built"
}

# book_last_seqs: from JSONL on stdin, the last seq of each book channel,
# as md.VENUE.SYMBOL.book=SEQ,... sorted.
book_last_seqs() {
	sed -n 's/^{"type":"book_[a-z]*","venue":"\([^"]*\)","symbol":"\([^"]*\)","seq":\([0-9]*\).*/md.\1.\2.book=\3/p' |
	    awk -F= '{ s[$1] = $2 } END { for (c in s) print c "=" s[c] }' |
	    sort | paste -sd, -
}

# book_seqs: from JSONL on stdin, each book message as "CHANNEL SEQ TYPE"
# (the whole stream, for wsclient.py exact --seqs).
book_seqs() {
	sed -n 's/^{"type":"\(book_[a-z]*\)","venue":"\([^"]*\)","symbol":"\([^"]*\)","seq":\([0-9]*\).*/md.\2.\3.book \4 \1/p'
}

# exact NAME CHANNELS UNTIL: a client on CHANNELS checking each book
# message against $T/seqs (wsclient.py exact) until every book of UNTIL
# is at its seq, in the background: $T/NAME.ready once subscribed, its
# books in $T/NAME.out, its pid in pid_NAME.
exact() {
	wsc_bg exact --url "$WS_URL" --channels "$2" --until "$3" \
	    --seqs "$T/seqs" --timeout 60 --ready "$T/$1.ready" \
	    >"$T/$1.out" 2>"$T/$1.err" &
	eval "pid_$1=\$!"
	track $!
}

# paced RATE: standard input to standard output at RATE lines a second.
paced() {
	/usr/bin/python3 -c '
import sys, time
t0, rate = time.monotonic(), float(sys.argv[1])
for i, l in enumerate(sys.stdin):
    d = t0 + i / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
    sys.stdout.write(l)
    sys.stdout.flush()
' "$1"
}

# feed_split SPLIT RATE SECS: the real redispub publishes the first SPLIT
# lines of $T/in at once (tests/wsgate/feed.py), the rest at RATE lines/s
# once $T/go exists; returns when the first part is published (within
# SECS).  FEED_PID is redispub.  feed.py writes to redispub through the
# fifo $T/feed.fifo, so that both are tracked (a pipeline's $! is only
# its last process).
feed_split() {
	rm -f "$T/feed.fifo"
	mkfifo "$T/feed.fifo"
	/usr/bin/python3 "$TESTS/wsgate/feed.py" "$REDIS_PORT" "$T/in" "$1" "$2" \
	    "$T/at" "$T/go" >"$T/feed.fifo" &
	track $!
	"$BIN/redispub" -u "$REDIS_URL" <"$T/feed.fifo" 2>"$T/redispub.err" &
	FEED_PID=$!
	track "$FEED_PID"
	wait_for "$3" test -e "$T/at" || fail "first $1 lines not published"
}

# feed_done: the feeding pipeline has ended, redispub with status 0.
feed_done() {
	wait "$FEED_PID" || fail "redispub failed: $(tail -n 3 "$T/redispub.err")"
}

wsc() { /usr/bin/python3 "$TESTS/wsgate/wsclient.py" "$@"; }
# wsc_bg ARGS... &: the same in the background; $! is the client itself.
wsc_bg() { exec /usr/bin/python3 "$TESTS/wsgate/wsclient.py" "$@"; }

# healthz_ok: wsgate answers /healthz 200 now; for wait_for, which runs
# its command each time (a $(...) in its arguments is read once, before it)
healthz_ok() {
	[ "$(wsc http /healthz --url "$HTTP_URL" 2>/dev/null | head -n 1 |
	    tr -d '\r')" = "HTTP/1.1 200 OK" ]
}

# healthz_prompt MS: 20 /healthz requests of wsgate, 200 ms apart, each
# on a new connection (tests/wsgate/mute.py probe), all answered and
# each within MS ms; their times in $T/probe.out
healthz_prompt() {
	/usr/bin/python3 "$TESTS/wsgate/mute.py" probe "$HTTP_URL/healthz" 20 \
	    200 >"$T/probe.out" 2>"$T/probe.err" ||
	    fail "probe: $(cat "$T/probe.err")"
	assert_eq "answers" 20 "$(wc -l <"$T/probe.out")"
	assert_eq "/healthz answers later than $1 ms (of 20, ms: $(paste -sd, "$T/probe.out"))" \
	    0 "$(awk -v b="$1" '$1 > b' "$T/probe.out" | wc -l)"
}

# flap_backs_off WHAT [MODE WORD]: the channel of a client subscribed,
# refused by tests/wsgate/fakeresp.py flap (its log $T/fake-flap.err)
# after each time it was taken (or dropped each time by MODE, its log
# saying WORD for each), is asked for again (WHAT: SUBSCRIBE or
# SSUBSCRIBE), with the backoff: 2 to 8 times in 4 s
flap_backs_off() {
	_fm=${2:-flap} _fw=${3:-refused}
	wait_for 20 grep -q "$_fw" "$T/fake-$_fm.err" ||
	    fail "not $_fw: $(tail -n 5 "$T/wsgate.log")"
	_fb=$(grep -c "$_fw" "$T/fake-$_fm.err")
	sleep 4
	_fb=$(($(grep -c "$_fw" "$T/fake-$_fm.err") - _fb))
	note "$_fb ${1}s $_fw in 4 s"
	[ "$_fb" -ge 2 ] || fail "$_fb ${1}s $_fw in 4 s: not asked again"
	[ "$_fb" -le 8 ] || fail "$_fb ${1}s $_fw in 4 s"
}

# metric NAME: the value of one wsgate metric line (NAME may hold labels).
metric() {
	wsc http /metrics --url "$HTTP_URL" | tr -d "\r" | awk -v n="$1" '$1 == n { print $2 }'
}

# metric_is NAME VALUE: for wait_for.
metric_is() { test "$(metric "$1")" = "$2"; }

# cpu_ticks PID: user + system clock ticks so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# hold N SECONDS NAME: N connections to wsgate held open SECONDS in the
# background (its pid in HOLD_PID), once all are made; $T/NAME.out says
# how many wsgate closed
hold() {
	/usr/bin/python3 "$TESTS/wsgate/hold.py" "$WS_PORT" "$1" "$2" \
	    "$T/$3.ready" >"$T/$3.out" 2>&1 &
	HOLD_PID=$!
	track $HOLD_PID
	wait_for 20 test -e "$T/$3.ready" ||
	    fail "$3: connections not made: $(cat "$T/$3.out")"
}

# hold_cpu N NAME: hold N 5 NAME, then HOLD_CPU is wsgate's CPU use in %
# over 3 s of it, and HOLD_LOG0 its log's size before; returns once the
# holder has ended.
# shellcheck disable=SC2034 # for the tests
hold_cpu() {
	HOLD_LOG0=$(wc -c <"$T/wsgate.log")
	hold "$1" 5 "$2"
	sleep 1
	_hc0=$(cpu_ticks "$WS_PID")
	sleep 3
	_hc1=$(cpu_ticks "$WS_PID")
	wait "$HOLD_PID" || fail "holder: $(cat "$T/$2.out")"
	HOLD_CPU=$(( (_hc1 - _hc0) * 100 / (3 * $(getconf CLK_TCK)) ))
}

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# stop_wsgate: SIGTERM; wsgate must exit 0 (under make SAN=1 that also
# means no leak) with no sanitizer report in its log, within 20 s (it
# gives its clients 3 s).
stop_wsgate() {
	kill -TERM "$WS_PID" 2>/dev/null
	wait_pid 20 "$WS_PID" "wsgate, after SIGTERM,"
	_sw_rc=$?
	if grep -q 'Sanitizer\|runtime error' "$T/wsgate.log"; then
		grep -A 20 'Sanitizer\|runtime error' "$T/wsgate.log" | head -n 40 >&2
		fail "sanitizer report from wsgate"
	fi
	assert_eq "wsgate exit status" 0 "$_sw_rc"
}

# sim_pipeline RATE [SIM OPTIONS...]: the real pipeline at RATE messages
# a second, collector sim -> shmreader -> redispub, every line it
# publishes also kept in $T/capture (the full stream, in ring order);
# returns once redispub has published.  SIM_PID names the collector.
# The ring holds 10 s at 100 K/s, so that shmreader never laps on a
# loaded machine.
sim_pipeline() {
	_sp_rate=$1
	shift
	"$BIN/collector" --ring "$RING" --capacity 1048576 sim \
	    --rate "$_sp_rate" "$@" \
	    2>"$T/collector.log" &
	SIM_PID=$!
	track "$SIM_PID"
	wait_for 20 "$BIN/shmreader" --ring "$RING" --stat ||
		fail "collector did not start: $(tail -n 3 "$T/collector.log")"
	mkfifo "$T/sim.jsonl" "$T/sim.pub"
	"$BIN/shmreader" --ring "$RING" --from oldest >"$T/sim.jsonl" \
	    2>"$T/shmreader.log" &
	track $!
	tee "$T/capture" <"$T/sim.jsonl" >"$T/sim.pub" &
	track $!
	"$BIN/redispub" -u "$REDIS_URL" <"$T/sim.pub" 2>"$T/redispub.log" &
	track $!
	wait_for 20 sh -c "[ \"\$(redis-cli -p $REDIS_PORT scard md.channels)\" -ge 2 ]" ||
		fail "redispub published nothing: $(tail -n 3 "$T/redispub.log")"
}

# cfl ARGS...: tests/wsgate/conflat.py (recordings and their checks).
cfl() { /usr/bin/python3 "$TESTS/wsgate/conflat.py" "$@"; }
# cfl_bg ARGS... &: the same in the background; $! is the client itself.
cfl_bg() { exec /usr/bin/python3 "$TESTS/wsgate/conflat.py" "$@"; }
# cfl_rec NAME ARGS...: a client (conflat.py rec ARGS...) recording into
# $T/NAME until $T/stop exists, in the background: $T/NAME.ready once
# subscribed, its errors in $T/NAME.err, its pid in pid_NAME.
cfl_rec() {
	_cr=$1
	shift
	cfl_bg rec --url "$WS_URL" --ready "$T/$_cr.ready" --stop-file "$T/stop" \
	    --out "$T/$_cr" "$@" 2>"$T/$_cr.err" &
	eval "pid_$_cr=\$!"
	track $!
}
