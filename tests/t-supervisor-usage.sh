#!/bin/sh
# t-supervisor-usage: every bad command line of tickpipe(8) exits 64 with
# a first line saying what is wrong, then the usage (it printed the
# usage alone, or the shell's "Illegal option"); -h prints the usage and
# exits 0; and `sh tickpipe` run from the script's own directory finds
# itself (it said "SELF_DIR: parameter not set" and could not start).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# bad ARGS... WHY: exit 64, WHY on the first line, the usage after it
bad() {
	_why=$1
	shift
	sh "$TP_SCRIPT" "$@" >"$T/out" 2>"$T/err"
	assert_eq "tickpipe $*: exit status" 64 "$?"
	assert_eq "tickpipe $*: first line" "tickpipe: $_why" "$(head -n 1 "$T/err")"
	grep -q "^usage: tickpipe " "$T/err" || fail "tickpipe $*: no usage: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "tickpipe $*: standard output: $(cat "$T/out")"
}
bad "no command"
bad "bogus: no such command" -c "$CONF" bogus
bad "status: unexpected argument extra" -c "$CONF" status extra
bad "logs: unexpected argument b" -c "$CONF" logs collector b
bad "status -c: options go before the command" status -c "$CONF"
bad "--help: unknown option" --help
bad "-x: unknown option" -x
bad "-c needs an argument" -c
sh "$TP_SCRIPT" -h >"$T/out" 2>&1 || fail "-h exited $?"
grep -q "^usage: tickpipe " "$T/out" || fail "-h: $(cat "$T/out")"

# `sh tickpipe` in its own directory (a copy: the script is found by
# the name it was run by, and its programs by BIN_DIR)
mkdir "$T/sbin"
cp "$TP_SCRIPT" "$T/sbin/tickpipe"
(cd "$T/sbin" && sh tickpipe -c "$CONF" status) >"$T/out" 2>&1
assert_eq "sh tickpipe status, from its directory: exit status" 3 "$?"
grep -q "^supervisor: not running" "$T/out" || fail "sh tickpipe status: $(cat "$T/out")"
! grep -q "not set\|not found" "$T/out" || fail "sh tickpipe status: $(cat "$T/out")"
exit 0
