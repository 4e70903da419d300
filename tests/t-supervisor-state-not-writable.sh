#!/bin/sh
# t-supervisor-state-not-writable: a state directory that exists but
# that the user cannot write is exit 73 naming it (tickpipe(8) EXIT
# STATUS), not "a supervisor already runs" and 75.  As root the test
# runs the supervisor as another uid (setpriv); otherwise it skips.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "needs root and setpriv(1) to run as another uid"
fi
U=$((60000 + $$ % 5000))
# a config the other uid can read, naming a state directory it cannot
# write (root's, mode 755)
D=$T/other
mkdir -p "$D/state/run" "$D/state/log"
chmod 755 "$T" "$D" "$D/state" "$D/state/run" "$D/state/log"
sed "s|^STATE_DIR=.*|STATE_DIR=$D/state|" "$CONF" >"$D/conf"
chmod 644 "$D/conf"
setpriv --reuid=$U --regid=$U --clear-groups \
    sh "$TP_SCRIPT" -c "$D/conf" run >"$T/run" 2>&1
assert_eq "run: exit status" 73 "$?"
grep -q "$D/state.*: cannot write" "$T/run" || fail "run: $(cat "$T/run")"
grep -q "already runs" "$T/run" && fail "run: $(cat "$T/run")"
exit 0
