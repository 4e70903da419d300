#!/bin/sh
# t-supervisor-state-parent-unsafe: a directory above the state
# directory, up to /, that another user could write without the sticky
# bit, or that is another user's (not root's), is refused by every
# command, exit 73 naming it (tickpipe(8), STATE_DIR): that user could
# rename STATE_DIR away and put a directory of theirs in its place, which
# the checks of STATE_DIR itself would pass.  A link on the way is
# followed: the directory it leads to is checked.  A sticky one, as
# /tmp, is taken, and the directories above STATE_DIR that start makes
# are 0755 whatever the umask.  Before, only STATE_DIR and its run
# directory were checked, and mkdir -p made the ones above with the
# umask.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

P=$T/shared
STATE=$P/state
write_conf
mkdir -m 755 "$P" "$STATE"
chmod 777 "$P"			# (mkdir -m is cut by the umask)
why="another user could put a directory of theirs in place of $STATE, which tickpipe would trust"

# 1. the parent writable by all, not sticky: refused before anything is
# read or written
for c in status start check; do
	tp "$c" >"$T/out" 2>&1
	rc=$?
	assert_eq "$c under a parent of mode 0777: exit status" 73 "$rc"
	assert_eq "$c: message" \
	    "tickpipe: $P: writable by its group or others (mode drwxrwxrwx) without the sticky bit: $why (chmod go-w it, or +t as /tmp)" \
	    "$(cat "$T/out")"
done
[ ! -e "$STATE/run" ] || fail "a command made $STATE/run"

# 2. the same, reached through a symbolic link: the directory it leads
# to is the one checked
ln -s shared "$T/link"
write_conf "STATE_DIR=$T/link/state"
tp status >"$T/out" 2>&1
assert_eq "status through a link to a parent of mode 0777: exit status" 73 "$?"
grep -q "^tickpipe: $P: writable by its group or others (mode drwxrwxrwx) without the sticky bit" "$T/out" ||
    fail "status through a link: $(cat "$T/out")"
write_conf

# 3. another user's parent (as root: nobody's)
if [ "$(id -u)" = 0 ] && id -u nobody >/dev/null 2>&1; then
	chmod 755 "$P"
	chown nobody "$P"
	tp status >"$T/out" 2>&1
	assert_eq "status under nobody's parent: exit status" 73 "$?"
	assert_eq "status under nobody's parent: message" \
	    "tickpipe: $P: owned by uid $(id -u nobody), neither root nor uid 0 that runs tickpipe: that user could put a directory of theirs in place of $STATE, which tickpipe would trust" \
	    "$(cat "$T/out")"
	chown 0 "$P"
fi

# 4. sticky, as /tmp: taken
chmod 1777 "$P"
tp_start
all_up || fail "not all up under a sticky parent"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"

# 5. the directories above STATE_DIR that start makes: 0755 even with
# umask 0 (a umask of 077 kept: the user's)
write_conf "STATE_DIR=$T/new/a/state"
(umask 0 && tp start) >"$T/out" 2>&1 || { cat "$T/out"; fail "start exited $?"; }
assert_eq "$T/new mode" drwxr-xr-x "$(stat -c %A "$T/new")"
assert_eq "$T/new/a mode" drwxr-xr-x "$(stat -c %A "$T/new/a")"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
rm -rf "$T/new"
write_conf "STATE_DIR=$T/new/a/state"
(umask 077 && tp start) >"$T/out" 2>&1 || { cat "$T/out"; fail "start exited $?"; }
assert_eq "$T/new mode, umask 077" drwx------ "$(stat -c %A "$T/new")"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
write_conf
no_procs_left
note "parents another user could change refused (73); a sticky one taken"
