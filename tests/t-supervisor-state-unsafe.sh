#!/bin/sh
# t-supervisor-state-unsafe: a state directory, or its run directory,
# that another user could write (or a symbolic link) is refused by every
# command, exit 73 saying why (tickpipe(8), STATE_DIR), before anything
# in it is read or written.  Before, STATE_DIR made world-writable
# (mode 1777) let another user put in run/ a pids file naming any
# process, which `check` (its supervisor's cleanup) SIGTERMed, and a
# symbolic link that a state file was written through, over any file;
# and a forged lock made `stop` SIGTERM the process it named.  A decoy
# process named so here must live on.  A state directory the supervisor
# makes is 0755, its run directory 0700, whatever the umask.  As root,
# "another user" is nobody (chown); otherwise the directories are made
# writable by all.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

OTHER=''
[ "$(id -u)" != 0 ] || ! id -u nobody >/dev/null 2>&1 || OTHER=nobody
# loose DIR: DIR as another user could have made it
loose() {
	if [ -n "$OTHER" ]; then chown "$OTHER" "$1"; else chmod 777 "$1"; fi
}
# state_mended: the state directory made ours and safe again, the forged
# files gone, so that sv_cleanup's stop can clean up (after the old code,
# a supervisor it started)
state_mended() {
	for _d in "$STATE" "$STATE/run"; do
		if [ -d "$_d" ] && [ ! -L "$_d" ]; then
			chown "$(id -u)" "$_d" 2>/dev/null
			chmod 755 "$_d"
		fi
	done
	rm -f "$STATE/run/wsgate.state.tmp" "$STATE/run/collector.pids"
	[ ! -L "$STATE" ] || rm -f "$STATE"
	if [ -f "$STATE/supervisor.pid" ] &&
	    [ "$(sup_pid)" = "$decoy" ]; then rm -f "$STATE/supervisor.pid"; fi
}
trap 'state_mended; sv_cleanup' EXIT

sleep 60 &
decoy=$!
track "$decoy"
dstart=$(tp_started "$decoy")
[ -n "$dstart" ] || fail "no start time for the decoy"
: >"$T/target"

# 1. STATE_DIR world-writable, as /tmp: another user made run/ in it,
# with a pids file naming the decoy and a link for a state file
mkdir -m 1777 "$STATE"
mkdir "$STATE/run"
echo "$decoy $dstart collector" >"$STATE/run/collector.pids"
ln -s "$T/target" "$STATE/run/wsgate.state.tmp"
loose "$STATE/run"
tp check >"$T/out" 2>&1
rc=$?
running "$decoy" ||
    fail "check signalled the decoy named in a forged run/collector.pids: $(head -n 3 "$T/out")"
[ ! -s "$T/target" ] || fail "check wrote through run/wsgate.state.tmp: $(cat "$T/target")"
assert_eq "check on a STATE_DIR of mode 1777: exit status" 73 "$rc"
assert_eq "check: message" \
    "tickpipe: $STATE: writable by its group or others (mode drwxrwxrwt): not used, as another user's files there could make it signal any process or overwrite any file (chmod go-w it)" \
    "$(cat "$T/out")"
[ ! -e "$STATE/supervisor.pid" ] || fail "check took the lock"

# 2. a forged lock naming the decoy, for stop
echo "$decoy $dstart" >"$STATE/supervisor.pid"
for c in stop status run; do
	tp "$c" >"$T/out" 2>&1
	rc=$?
	running "$decoy" || fail "$c signalled the decoy named in a forged lock: $(cat "$T/out")"
	assert_eq "$c on a STATE_DIR of mode 1777: exit status" 73 "$rc"
	grep -q "^tickpipe: $STATE: writable by its group or others" "$T/out" ||
	    fail "$c: $(cat "$T/out")"
done
rm -f "$STATE/supervisor.pid"

# 3. STATE_DIR safe, run/ another user's
chmod 755 "$STATE"
for c in stop check; do
	tp "$c" >"$T/out" 2>&1
	rc=$?
	running "$decoy" ||
	    fail "$c signalled the decoy named in a forged run/collector.pids: $(head -n 3 "$T/out")"
	assert_eq "$c with another user's run/: exit status" 73 "$rc"
	if [ -n "$OTHER" ]; then
		grep -q "^tickpipe: $STATE/run: owned by uid $(id -u "$OTHER"), not by uid 0 that runs tickpipe" "$T/out" ||
		    fail "$c: $(cat "$T/out")"
	else
		grep -q "^tickpipe: $STATE/run: writable by its group or others" "$T/out" ||
		    fail "$c: $(cat "$T/out")"
	fi
done
[ ! -s "$T/target" ] || fail "wrote through run/wsgate.state.tmp: $(cat "$T/target")"

# 4. STATE_DIR another user's (as root), or a symbolic link
state_mended
if [ -n "$OTHER" ]; then
	chown "$OTHER" "$STATE"
	tp status >"$T/out" 2>&1
	assert_eq "status on nobody's STATE_DIR: exit status" 73 "$?"
	grep -q "^tickpipe: $STATE: owned by uid $(id -u "$OTHER"), not by uid 0" "$T/out" ||
	    fail "status: $(cat "$T/out")"
	chown 0 "$STATE"
fi
mv "$STATE" "$T/real"
ln -s real "$STATE"
tp start >"$T/out" 2>&1
assert_eq "start on a STATE_DIR that is a link: exit status" 73 "$?"
assert_eq "start on a link: message" \
    "tickpipe: $STATE: a symbolic link: the state directory and its run directory must be directories of their own" \
    "$(cat "$T/out")"
rm -f "$STATE"
rm -rf "$T/real"

# 5. made by the supervisor: 0755 and 0700, even with umask 0
(umask 0 && tp start) >"$T/out" 2>&1 || { cat "$T/out"; fail "start exited $?"; }
assert_eq "STATE_DIR mode" drwxr-xr-x "$(stat -c %A "$STATE")"
assert_eq "run/ mode" drwx------ "$(stat -c %A "$STATE/run")"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
running "$decoy" || fail "the decoy was signalled"
no_procs_left
note "unsafe state directories refused (73); the decoy lives"
