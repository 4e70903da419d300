#!/bin/sh
# shellcheck disable=SC2154 # npmdir is set by tests/browser/setup.sh
# t-dashboard-live-derived: the dashboard, loaded in headless chromium from
# the whole pipeline with three venues (collector sim --venues
# sim,sim2,sim3 -> shmreader -> redispub, and deriver -> shmreader ->
# redispub --name derived, -> redis -> wsgate), runs its streams conflated
# at 10 Hz, draws candles from bar-1s, shows a quote for each venue and
# the consolidated best, and, once the simulator dislocates a venue, marks
# the crossed market.  The browser side is tests/browser/live.js;
# screenshots are $BIN/test-logs/dashboard-live.png and
# dashboard-live-crossed.png.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/browser/setup.sh disable=SC1091
. "$TESTS/browser/setup.sh"
[ -x "$BIN/deriver" ] || fail "$BIN/deriver not built"

start_redis
OUT=$RING.derived

"$BIN/collector" --ring "$RING" sim --venues sim,sim2,sim3 --rate 3000 \
    2>"$T/collector.log" &
track $!
wait_for 20 "$BIN/shmreader" --ring "$RING" --stat ||
	fail "collector did not create ring $RING: $(tail -n 3 "$T/collector.log")"
"$BIN/deriver" --ring "$RING" --out "$OUT" 2>"$T/deriver.log" &
track $!
wait_for 20 "$BIN/shmreader" --ring "$OUT" --stat ||
	fail "deriver did not create ring $OUT: $(tail -n 3 "$T/deriver.log")"

mkfifo "$T/md" "$T/derived"
"$BIN/shmreader" --ring "$RING" >"$T/md" 2>"$T/shmreader.log" &
track $!
"$BIN/redispub" -u "$REDIS_URL" <"$T/md" 2>"$T/redispub.log" &
track $!
"$BIN/shmreader" --ring "$OUT" >"$T/derived" 2>"$T/shmreader-derived.log" &
track $!
"$BIN/redispub" -u "$REDIS_URL" --name derived <"$T/derived" \
    2>"$T/redispub-derived.log" &
track $!
wait_for 20 sh -c "redis-cli -p $REDIS_PORT exists md.all.BTC-USD.xbest.last | grep -qx 1" ||
	fail "no xbest line in redis: $(tail -n 3 "$T/redispub-derived.log" "$T/deriver.log")"

start_wsgate
mkdir -p "$T/profile" "$BIN/test-logs"
NODE_PATH="$npmdir/node_modules" node "$TESTS/browser/live.js" \
    "http://127.0.0.1:$PORT/" "$BIN/test-logs" "$T/profile" >&2 ||
	fail "browser checks failed"
