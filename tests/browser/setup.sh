# shellcheck shell=sh
# tests/browser/setup.sh: sourced by tests/t-dashboard-*.sh after lib.sh.
# Skips without chromium, checks that the programs and build/www exist,
# installs playwright-core with `npm ci` from the committed lockfile into
# $BIN/browser-npm (outside the source tree; again only when the lockfile
# changed), and defines http_ok, start_wsgate and redis_page.  Sets npmdir.

[ -x /usr/bin/chromium ] || skip "chromium not installed (/usr/bin/chromium)"
command -v node >/dev/null || fail "node not installed (make deps)"
command -v npm >/dev/null || fail "npm not installed (make deps)"
for p in collector shmreader redispub wsgate; do
	[ -x "$BIN/$p" ] || fail "$BIN/$p not built"
done
[ -f "$BIN/www/index.html" ] || fail "$BIN/www not built (make www)"

npmdir="$BIN/browser-npm"
if ! cmp -s "$TESTS/browser/package-lock.json" "$npmdir/package-lock.json" ||
    [ ! -f "$npmdir/node_modules/playwright-core/package.json" ]; then
	mkdir -p "$npmdir"
	cp "$TESTS/browser/package.json" "$TESTS/browser/package-lock.json" "$npmdir/"
	(cd "$npmdir" && npm ci --prefer-offline --no-audit --no-fund \
	    --loglevel=error) >"$T/npm.log" 2>&1 ||
		{ cat "$T/npm.log" >&2; fail "npm ci in $npmdir failed"; }
fi

# http_ok URL: the URL answers 200
http_ok() {
	/usr/bin/python3 -c 'import sys, urllib.request
sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).status != 200)' "$1"
}

# start_wsgate: wsgate on 127.0.0.1:$PORT (a free port unless PORT is
# set) relaying $REDIS_URL and serving $BIN/www, its log appended to
# $T/wsgate.log; returns once it answers /healthz.  Sets PORT, WSGATE_PID.
start_wsgate() {
	: "${PORT:=$(free_port)}"
	"$BIN/wsgate" -l "127.0.0.1:$PORT" -u "$REDIS_URL" --www "$BIN/www" \
	    2>>"$T/wsgate.log" &
	WSGATE_PID=$!
	track "$WSGATE_PID"
	wait_for 20 http_ok "http://127.0.0.1:$PORT/healthz" ||
		fail "wsgate did not come up: $(tail -n 3 "$T/wsgate.log")"
}

# redis_page SCRIPT: runs tests/browser/SCRIPT, a test that publishes into
# the private redis itself, on the page of that wsgate; its screenshots go
# to $BIN/test-logs.  Fails the test if SCRIPT does.
redis_page() {
	mkdir -p "$T/profile" "$BIN/test-logs"
	REDIS_PORT=$REDIS_PORT NODE_PATH="$npmdir/node_modules" \
	    node "$TESTS/browser/$1" "http://127.0.0.1:$PORT/" "$T/profile" \
	    "$BIN/test-logs" >&2 || fail "browser checks failed"
}
