#!/bin/sh
# t-supervisor-state-full: a state directory on a full file system (a
# 64 KiB tmpfs, filled, in a private mount namespace) is exit 73 saying
# why (tickpipe(8) EXIT STATUS), from run and from start, and no
# temporary lock file is left; with only the run directory writable,
# start says what the supervisor said and its exit status.  Before, run
# exited 75 "a supervisor already runs ... (pid ?)", start said "did not
# come up; it said:" and nothing more, and each try left a
# supervisor.pid.PID behind.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
M=$T/mnt
mkdir "$M"
trap 'tp stop >/dev/null 2>&1; umount "$STATE/run" 2>/dev/null; tp_cleanup_umount "$M"' EXIT
mount -t tmpfs -o size=64k,mode=755 tmpfs "$M" || skip "cannot mount a tmpfs"
STATE=$M/state
write_conf
mkdir -m 755 "$STATE" "$STATE/log"
mkdir -m 700 "$STATE/run"
dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null
[ -f "$M/fill" ] || fail "could not fill $M"

tp run >"$T/run" 2>&1
assert_eq "run's exit status on a full state file system" 73 "$?"
grep -q "supervisor.pid: cannot make the lock: .*No space left on device" \
    "$T/run" || fail "run: $(cat "$T/run")"
grep -q "already runs" "$T/run" && fail "run: $(cat "$T/run")"

tp start >"$T/start" 2>&1
assert_eq "start's exit status on a full state file system" 73 "$?"
grep -q "No space left on device" "$T/start" || fail "start: $(cat "$T/start")"

for f in "$STATE"/supervisor.pid*; do
	[ ! -e "$f" ] || fail "left in $STATE: ${f##*/}"
done

# the run directory on a file system with room (the supervisor's words
# go there), the lock's full: start says what the supervisor said
mount -t tmpfs -o size=64k,mode=700 tmpfs "$STATE/run" ||
    skip "cannot mount a tmpfs on $STATE/run"
tp start >"$T/start" 2>&1
assert_eq "start's exit status, the lock's file system full" 1 "$?"
grep -q "did not come up (exit 73 (cannot create)); it said:" "$T/start" ||
    fail "start: $(cat "$T/start")"
grep -q "supervisor.pid: cannot make the lock: .*No space left on device" "$T/start" ||
    fail "start: $(cat "$T/start")"
umount "$STATE/run"
for f in "$STATE"/supervisor.pid*; do
	[ ! -e "$f" ] || fail "left in $STATE: ${f##*/}"
done
exit 0
