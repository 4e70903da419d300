# shellcheck shell=sh
# tests/wsgate/fakeresp.sh: sourced after tests/wsgate/lib.sh by the
# tests of wsgate against a Redis that misbehaves or stops.

# fake_redis MODE: tests/wsgate/fakeresp.py MODE on a free port, its
# log in $T/fake-MODE.err, REDIS_URL naming it for start_wsgate.
fake_redis() {
	FAKE_PORT=$(free_port)
	rm -f "$T/fake.ready"
	/usr/bin/python3 "$TESTS/wsgate/fakeresp.py" "$FAKE_PORT" \
	    "$T/fake.ready" "$1" 2>"$T/fake-$1.err" &
	track $!
	wait_for 10 test -e "$T/fake.ready" || fail "$1: fake redis did not start"
	# shellcheck disable=SC2034 # start_wsgate's
	REDIS_URL="redis://127.0.0.1:$FAKE_PORT"
}

# sub_client CHANNEL: a client of $WS_URL subscribed to CHANNEL for up
# to 50 s (wsclient.py sub) in the background, every frame it gets in
# $T/c.out; returns once it is subscribed.
sub_client() {
	rm -f "$T/c.ready"
	wsc_bg sub --url "$WS_URL" --channels "$1" --timeout 50 \
	    --ready "$T/c.ready" >"$T/c.out" 2>"$T/c.err" &
	track $!
	wait_for 20 test -e "$T/c.ready" ||
	    fail "client not subscribed: $(cat "$T/c.err")"
}
