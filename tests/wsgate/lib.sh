# tests/wsgate/lib.sh: sourced by the t-wsgate-*.sh tests after
# tests/lib.sh.  start_wsgate runs the real wsgate on a free port against
# the private redis (start_redis first) and waits for its readiness line
# (-d); WS_URL/HTTP_URL/WS_PID name it.  wsc runs the websockets client.

[ -x "$BIN/wsgate" ] || skip "wsgate not built"
/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
	skip "python3-websockets not installed"

# start_wsgate ARGS...: extra wsgate options.
# shellcheck disable=SC2034
start_wsgate() {
	WS_PORT=$(free_port)
	rm -f "$T/ready"
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

wsc() { /usr/bin/python3 "$TESTS/wsgate/wsclient.py" "$@"; }
# wsc_bg ARGS... &: the same in the background; $! is the client itself.
wsc_bg() { exec /usr/bin/python3 "$TESTS/wsgate/wsclient.py" "$@"; }

# metric NAME: the value of one wsgate metric line (NAME may hold labels).
metric() {
	wsc http /metrics --url "$HTTP_URL" | tr -d "\r" | awk -v n="$1" '$1 == n { print $2 }'
}

# metric_is NAME VALUE: for wait_for.
metric_is() { test "$(metric "$1")" = "$2"; }

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
