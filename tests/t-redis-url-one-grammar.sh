#!/bin/sh
# t-redis-url-one-grammar: one Redis URL grammar (tickpipe(7)) in
# redispub, wsgate and the supervisor.  Against a real redis-server with
# a password for the default user and an ACL user "feed":
#  - redispub publishes and wsgate gets ready (both its Redis connections
#    authenticated) with the same URLs: user and password in the URL
#    (percent-encoded), a user in the URL and the password in
#    TICKPIPE_REDIS_PASSWORD, a password alone, a database number, [::1]
#    (when the host has IPv6), and the unix socket as unix://PATH, as an
#    absolute path and as ./PATH;
#  - with each as REDIS_URL, `tickpipe status` reads redispub's stats from
#    that very Redis and database (so its redis-cli reaches it too);
#  - bad URLs are refused alike: 64 by redispub and wsgate, 78 (config
#    error) by the supervisor, naming the same reason.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
PW='p@ss:w/rd %x'
PWENC='p%40ss%3Aw%2Frd%20%25x'
start_redis --requirepass defpw --unixsocket "$T/redis.sock" \
    --unixsocketperm 700 --bind '127.0.0.1 -::1'
rcli -a defpw --no-auth-warning ACL SETUSER feed on ">$PW" '~md.*' '&*' '+@all' >/dev/null ||
    fail "ACL SETUSER failed"

# works URL DB SEQ [PASSWORD]: redispub publishes a line with seq SEQ
# through URL, its stats land in DB, wsgate authenticates both its
# connections, and tickpipe status reads those stats back; PASSWORD goes
# in TICKPIPE_REDIS_PASSWORD
works() {
	_url=$1 _db=$2 _seq=$3 _pw=${4:-}
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":%s,"vseq":1,"ts":1,"recv":2,"price":"1.5","qty":"2","side":"buy","tid":"1"}\n' \
	    "$_seq" >"$T/line"
	if ! TICKPIPE_REDIS_PASSWORD=$_pw "$BIN/redispub" -u "$_url" <"$T/line" \
	    --connect-timeout 3 2>"$T/err"; then
		cat "$T/err" >&2
		fail "redispub -u $_url failed"
	fi
	grep -q 'published=1 ' "$T/err" || { cat "$T/err" >&2; fail "redispub -u $_url: not published"; }
	rcli -a defpw --no-auth-warning -n "$_db" get md.tickpipe.stats | grep -q "\"last_seq\":$_seq," ||
	    fail "redispub -u $_url: no stats in database $_db"
	rm -f "$T/ready"
	mkfifo "$T/ready"
	TICKPIPE_REDIS_PASSWORD=$_pw "$BIN/wsgate" -l 127.0.0.1:0 -u "$_url" -d 3 \
	    3>"$T/ready" 2>"$T/wserr" &
	_ws=$!
	track $_ws
	_r=$(timeout 5 head -c 1 "$T/ready" | od -An -c | tr -d ' ')
	kill -TERM $_ws 2>/dev/null
	wait $_ws
	[ "$_r" = '\n' ] || { cat "$T/wserr" >&2; fail "wsgate -u $_url: not ready"; }
	write_conf "REDIS_URL=$_url"
	TICKPIPE_REDIS_PASSWORD=$_pw tp status >"$T/status" 2>&1
	grep -q "^redis .*: published 1 of 1 lines, last_seq $_seq," "$T/status" ||
	    { cat "$T/status" >&2; fail "tickpipe status with REDIS_URL=$_url: no stats"; }
	grep -q "$PW\|defpw" "$T/status" && fail "tickpipe status shows the password"
	note "$_url: redispub, wsgate and tickpipe status agree"
}

works "redis://feed:$PWENC@127.0.0.1:$REDIS_PORT" 0 11
works "redis://feed:$PWENC@127.0.0.1:$REDIS_PORT/3" 3 12
works "redis://feed@127.0.0.1:$REDIS_PORT/2" 2 13 "$PW"
works "redis://:defpw@localhost:$REDIS_PORT" 0 14
works "unix://$T/redis.sock" 0 15 defpw
works "$T/redis.sock" 0 16 defpw
(cd "$T" && works ./redis.sock 0 17 defpw) || exit 1
if redis-cli -h ::1 -p "$REDIS_PORT" -a defpw --no-auth-warning ping >/dev/null 2>&1; then
	works "redis://feed:$PWENC@[::1]:$REDIS_PORT/1" 1 18
else
	note "no IPv6 loopback here: [::1] not tried"
fi

# refused URL REASON: refused by all three, for the same reason
refused() {
	"$BIN/redispub" -u "$1" </dev/null 2>"$T/err"
	_rc=$?
	assert_eq "redispub -u '$1'" 64 "$_rc"
	grep -q "$2" "$T/err" || fail "redispub -u '$1': $(cat "$T/err")"
	"$BIN/wsgate" -l 127.0.0.1:0 -u "$1" 2>"$T/err"
	_rc=$?
	assert_eq "wsgate -u '$1'" 64 "$_rc"
	grep -q "$2" "$T/err" || fail "wsgate -u '$1': $(cat "$T/err")"
	write_conf "REDIS_URL=$1"
	tp status >"$T/err" 2>&1
	_rc=$?
	assert_eq "tickpipe with REDIS_URL='$1'" 78 "$_rc"
	grep -q "$2" "$T/err" || fail "tickpipe with REDIS_URL='$1': $(cat "$T/err")"
}
refused bogus://x "unknown scheme 'bogus'"
refused redis.sock "socket path with a '/'"
refused "redis://a:b@c@h" "write it %40"
refused "redis://h:99999" "bad port"
refused "redis://h/x" "bad database"
refused "redis://[::1" "no ']'"
