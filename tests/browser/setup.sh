# shellcheck shell=sh
# tests/browser/setup.sh: sourced by tests/t-dashboard-*.sh after lib.sh.
# Skips without chromium, checks that the programs and build/www exist,
# installs playwright-core with `npm ci` from the committed lockfile into
# $BIN/browser-npm (outside the source tree; again only when the lockfile
# changed), and defines http_ok.  Sets npmdir.

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
