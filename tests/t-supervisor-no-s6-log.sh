#!/bin/sh
# t-supervisor-no-s6-log: without s6-log, which writes every log,
# `tickpipe run` exits 69 at once saying so (it used to wait for ever on
# its first log fifo, holding the lock), and `start` exits 1 showing that
# message; no supervisor and no lock are left.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a PATH with every program of /usr/bin but s6-log
mkdir "$T/path"
for f in /usr/bin/*; do
	ln -s "$f" "$T/path/${f##*/}"
done
rm "$T/path/s6-log"
! PATH=$T/path command -v s6-log >/dev/null || fail "s6-log still in the PATH"

PATH=$T/path timeout -k 5 20 sh "$TP_SCRIPT" -c "$CONF" run >"$T/run" 2>&1
assert_eq "run: exit status" 69 "$?"
grep -q "s6-log not found" "$T/run" || fail "run: $(cat "$T/run")"
[ ! -e "$STATE/supervisor.pid" ] || fail "run left its lock"

PATH=$T/path timeout -k 5 120 sh "$TP_SCRIPT" -c "$CONF" start >"$T/start" 2>&1
assert_eq "start: exit status" 1 "$?"
grep -q "s6-log not found" "$T/start" || fail "start: $(cat "$T/start")"
[ ! -e "$STATE/supervisor.pid" ] || fail "start left a lock"
exit 0
