#!/bin/sh
# t-redispub-exit-status: startup failures are clear and have documented
# exit statuses (redispub(1)): a bad URL or option 64, and so are two
# passwords (URL and --password-file); a password refused
# by Redis 77, and so is no password where one is required; an ACL user
# with its password works, with a wrong one 77; an unreadable password
# file 78; Redis unreachable for --connect-timeout 69.  The right
# password, from the environment or a file, gets lines through.  A
# startup that fails after a line was read counts it as dropped, not
# buffered too: lines = published + dropped + malformed + buffered.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
LINE='{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1,"vseq":1,"ts":1,"recv":2,"price":"1.5","qty":"2","side":"buy","tid":"1"}'

# expect_exit WANT WHY CMD...: runs CMD with LINE on stdin, checks its exit
# status, and that it said WHY (a fixed string) on stderr
expect_exit() {
	_want=$1 _why=$2
	shift 2
	echo "$LINE" | "$@" 2>"$T/err"
	_rc=$?
	[ "$_rc" = "$_want" ] || { cat "$T/err"; fail "$*: exit $_rc, expected $_want"; }
	grep -qF -e "$_why" "$T/err" || { cat "$T/err"; fail "$*: no '$_why' on stderr"; }
	note "exit $_rc: $(head -n 1 "$T/err")"
}

# dropped_not_held WHAT: the exiting line of $T/err says the line read
# dropped and none held, and lines = published + dropped + malformed +
# buffered
dropped_not_held() {
	_l=$(counter lines "$T/err") _p=$(counter published "$T/err")
	_d=$(counter dropped "$T/err") _m=$(counter malformed "$T/err")
	_b=$(counter buffered "$T/err")
	if [ "$_l" != 1 ] || [ "$_d" != 1 ] || [ "$_b" != 0 ] ||
	    [ "$_l" != $((_p + _d + _m + _b)) ]; then
		fail "$1: lines=$_l published=$_p dropped=$_d malformed=$_m buffered=$_b, expected 1 line dropped and none buffered: $(grep exiting: "$T/err")"
	fi
}

bad_url() {
	expect_exit 64 "bad Redis URL" "$RP" -u http://127.0.0.1:1
	expect_exit 64 "bad port" "$RP" -u redis://127.0.0.1:99999
	expect_exit 64 "password in the URL and --password-file" "$RP" -u redis://u:pw@127.0.0.1:1 --password-file /dev/null
	expect_exit 64 "bad database" "$RP" -u redis://127.0.0.1:1/x
	expect_exit 64 "--buffer" "$RP" --buffer 0
	expect_exit 64 "bad --prefix" "$RP" --prefix 'md*'
}

unreachable() {
	port=$(free_port)
	start=$(ms)
	expect_exit 69 "giving up" "$RP" -u "redis://127.0.0.1:$port" --connect-timeout 1
	took=$(( $(ms) - start ))
	[ "$took" -lt 5000 ] || fail "took $took ms to give up after 1 s"
	dropped_not_held "Redis unreachable"
}

passwords() {
	start_redis --requirepass 's3cret pass'
	rcli -a 's3cret pass' --no-auth-warning ACL SETUSER pub on '>pubpw' '~md.*' '&*' '+@all' >/dev/null
	printf 's3cret pass\n' >"$T/pw"
	chmod 600 "$T/pw"
	printf 'wrong\n' >"$T/badpw"
	chmod 600 "$T/badpw"
	expect_exit 77 "AUTH refused" env TICKPIPE_REDIS_PASSWORD=wrong "$RP" -u "$REDIS_URL"
	dropped_not_held "password refused"
	expect_exit 77 "NOAUTH" env -u TICKPIPE_REDIS_PASSWORD "$RP" -u "$REDIS_URL"
	expect_exit 77 "AUTH refused" "$RP" -u "$REDIS_URL" --password-file "$T/badpw"
	expect_exit 77 "AUTH refused" env TICKPIPE_REDIS_PASSWORD=wrong "$RP" -u "redis://pub@127.0.0.1:$REDIS_PORT"
	expect_exit 78 "password file" "$RP" -u "$REDIS_URL" --password-file "$T/nonexistent"
	expect_exit 78 "no password" "$RP" -u "redis://pub@127.0.0.1:$REDIS_PORT"
	expect_exit 0 "published=1" env TICKPIPE_REDIS_PASSWORD='s3cret pass' "$RP" -u "$REDIS_URL"
	expect_exit 0 "published=1" "$RP" -u "$REDIS_URL" --password-file "$T/pw"
	expect_exit 0 "published=1" env TICKPIPE_REDIS_PASSWORD=pubpw "$RP" -u "redis://pub@127.0.0.1:$REDIS_PORT"
}

bad_url
unreachable
passwords
