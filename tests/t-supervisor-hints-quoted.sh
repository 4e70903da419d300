#!/bin/sh
# t-supervisor-hints-quoted: the commands `tickpipe start` prints as
# hints ("status: ...") run as printed when the config's path holds a
# space and a quote: the path is shell-quoted.  Before, it was printed
# bare, and the hint ran another command (here: "cannot read config
# file" for the path cut at the space).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

Q="$T/my conf's.conf"
cp "$CONF" "$Q"
CONF=$Q		# for sv_cleanup's stop
"$TP_SCRIPT" -c "$Q" start >"$T/out" 2>&1 || {
	cat "$T/out"
	fail "start exited $?"
}
hint=$(sed -n 's/^  status: *//p' "$T/out")
[ -n "$hint" ] || fail "no status hint: $(cat "$T/out")"
sh -c "$hint" >"$T/status" 2>&1 || fail "the hint '$hint': $(cat "$T/status")"
grep -q '^supervisor: up' "$T/status" || fail "$(cat "$T/status")"
note "$hint"
