#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-browser: the dashboard, loaded in headless Debian chromium from
# a running pipeline (collector sim -> shmreader -> redispub -> redis ->
# wsgate), runs conflated at 10 Hz and shows a live ladder (>= 10 levels a
# side, best bid below best ask), trades, messages/s above zero and a
# chart with drawn points; after
# wsgate is killed and restarted the page reconnects by itself and data
# flows again.  The browser side is tests/browser/dashboard.js
# (playwright-core, installed here by `npm ci` from the committed lockfile).
# Screenshots are kept in $BIN/test-logs/dashboard*.png.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"

start_redis

"$BIN/collector" --ring "$RING" sim --rate 2000 2>"$T/collector.log" &
track $!
wait_for 20 "$BIN/shmreader" --ring "$RING" --stat ||
	fail "collector did not create ring $RING: $(tail -n 3 "$T/collector.log")"

mkfifo "$T/jsonl"
"$BIN/shmreader" --ring "$RING" >"$T/jsonl" 2>"$T/shmreader.log" &
track $!
"$BIN/redispub" -u "$REDIS_URL" <"$T/jsonl" 2>"$T/redispub.log" &
track $!
wait_for 20 sh -c "[ \"\$(redis-cli -p $REDIS_PORT scard md.channels)\" -ge 2 ]" ||
	fail "redispub published nothing: $(tail -n 3 "$T/redispub.log")"

start_wsgate

mkdir -p "$T/sync" "$T/profile" "$BIN/test-logs"
NODE_PATH="$npmdir/node_modules" node "$TESTS/browser/dashboard.js" \
    "http://127.0.0.1:$PORT/" "$BIN/test-logs" "$T/sync" "$T/profile" \
    >"$T/node.log" 2>&1 &
node_pid=$!
track "$node_pid"

# phase 1 is the live view; then kill wsgate, let the page notice, restart
wait_for 180 sh -c "[ -e '$T/sync/phase1.done' ] || ! kill -0 $node_pid" ||
	{ cat "$T/node.log" >&2; fail "browser never saw live data"; }
if [ -e "$T/sync/phase1.done" ]; then
	kill -KILL "$WSGATE_PID"
	wait "$WSGATE_PID" 2>/dev/null
	note "wsgate killed"
	wait_for 90 sh -c "grep -q 'noticed the loss' '$T/node.log' || ! kill -0 $node_pid" ||
		{ cat "$T/node.log" >&2; fail "page did not notice wsgate was gone"; }
	start_wsgate
	note "wsgate restarted"
fi

wait "$node_pid"
rc=$?
cat "$T/node.log" >&2
[ "$rc" -eq 0 ] || fail "browser checks failed (exit $rc)"
note "screenshots: $BIN/test-logs/dashboard.png dashboard-reconnected.png"
