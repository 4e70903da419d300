#!/bin/sh
# t-supervisor-hints-quoted: the commands `tickpipe start` prints as
# hints ("status: ...", "live channels: ...") run as printed when the
# config's path and STATE_DIR hold a space and a quote: the paths are
# shell-quoted.  Before, the config's was printed bare, and the hint ran
# another command (here: "cannot read config file" for the path cut at
# the space); the password file's was put in single quotes as it was,
# and its quote ended them (the shell: "Syntax error").
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

Q="$T/my conf's.conf"
STATE="$T/st ate's"	# for sv_cleanup's stop too
sed "s|^STATE_DIR=.*|STATE_DIR=$STATE|" "$CONF" >"$Q"
CONF=$Q		# for sv_cleanup's stop
"$TP_SCRIPT" -c "$Q" start >"$T/out" 2>&1 || {
	cat "$T/out"
	fail "start exited $?"
}
hint=$(sed -n 's/^  status: *//p' "$T/out")
[ -n "$hint" ] || fail "no status hint: $(cat "$T/out")"
sh -c "$hint" >"$T/status" 2>&1 || fail "the hint '$hint': $(cat "$T/status")"
grep -q '^supervisor: up' "$T/status" || fail "$(cat "$T/status")"
# the Redis hint: its password file's path, its socket's
hint=$(sed -n 's/^  live channels: *//p' "$T/out")
[ -n "$hint" ] || fail "no live channels hint: $(cat "$T/out")"
case $hint in *"st ate"*) ;; *) fail "the hint names no STATE_DIR: $hint" ;; esac
sh -c "${hint%smembers*}ping" >"$T/ping" 2>&1 ||
    fail "the hint '$hint': $(cat "$T/ping")"
assert_eq "the hint '$hint' with ping" PONG "$(cat "$T/ping")"
note "$hint"
