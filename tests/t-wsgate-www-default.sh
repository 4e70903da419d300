#!/bin/sh
# Without --www, wsgate serves its compiled-in default directory (the
# installed $(pkgdatadir)/www) if it exists, and no files (404) if not;
# --www still wins.  Run with a build whose default is the relative
# "www-default", from a directory with and without it.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

W=$BIN/tests/wsgate-wwwtest
[ -x "$W" ] || skip "tests/wsgate-wwwtest not built"
start_redis

# run_in DIR ARGS...: that wsgate, started from DIR
run_in() {
	_d=$1
	shift
	WS_PORT=$(free_port)
	rm -f "$T/ready"
	(cd "$_d" && exec "$W" -v -d 3 -l "127.0.0.1:$WS_PORT" \
	    -u "$REDIS_URL" "$@" 3>"$T/ready" 2>>"$T/wsgate.log") &
	WS_PID=$!
	track "$WS_PID"
	HTTP_URL="http://127.0.0.1:$WS_PORT"
	wait_for 20 test -s "$T/ready" || fail "wsgate did not become ready"
}

# status PATH: the HTTP status of GET PATH
status() {
	wsc http "$1" --url "$HTTP_URL" | head -n 1 | cut -d' ' -f2
}

mkdir -p "$T/with/www-default" "$T/without" "$T/other"
printf '<!doctype html><title>default</title>\n' \
    >"$T/with/www-default/index.html"
printf '<!doctype html><title>other</title>\n' >"$T/other/index.html"

test_default_directory_is_served() {
	run_in "$T/with"
	assert_eq "GET / with the default dir" 200 "$(status /)"
	wsc http / --url "$HTTP_URL" | grep -q '<title>default' ||
	    fail "not the default dir's index.html"
	stop_wsgate
}

test_no_default_directory_serves_nothing() {
	run_in "$T/without"
	assert_eq "GET / without the default dir" 404 "$(status /)"
	assert_eq "GET /healthz" 200 "$(status /healthz)"
	stop_wsgate
}

test_www_option_wins() {
	run_in "$T/with" --www "$T/other"
	wsc http / --url "$HTTP_URL" | grep -q '<title>other' ||
	    fail "--www did not win over the default"
	stop_wsgate
}

test_default_directory_is_served
test_no_default_directory_serves_nothing
test_www_option_wins
