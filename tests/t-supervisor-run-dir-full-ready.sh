#!/bin/sh
# t-supervisor-run-dir-full-ready: a stage started while the run
# directory's file system is full (a 64 KiB tmpfs on STATE_DIR/run,
# filled, in a private mount namespace) is seen ready, as readiness takes
# no room there; the state files that cannot be written are said once for
# their cause (tickpipe(8)).  Before, what the readiness fifo gave went to
# a file in run/, which stayed empty: no stage was ever ready, each was
# restarted with backoff for ever, and nothing said why.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
write_conf READY_TIMEOUT=5
run_tmpfs 64k
dd if=/dev/zero of="$STATE/run/fill" bs=4k 2>/dev/null
[ -f "$STATE/run/fill" ] || fail "could not fill $STATE/run"
L=$STATE/log/supervisor/current

tp run >"$T/run.out" 2>&1 &
track $!
wait_for 60 grep -q "all stages up" "$L" ||
    fail "not every stage up on a full run/: $(grep -E 'not ready|up \(' "$L" | tail -n 4)"
grep -q "not ready" "$L" && fail "a stage was not ready: $(grep "not ready" "$L")"

# one started again while it is still full: ready again
c=$(victim collector collector)
[ -n "$c" ] || c=$(pgrep -f -- "collector .*--ring $RING( |\$)" | head -n 1)
[ -n "$c" ] || fail "no collector"
kill -TERM "$c"
wait_for 30 sh -c "[ \$(grep -c 'collector: up (pid' '$L') -ge 2 ]" ||
    fail "collector not up again: $(tail -n 4 "$L")"
grep -q "not ready" "$L" && fail "a stage was not ready: $(grep "not ready" "$L")"
wait_for 5 grep -q "cannot write it (No space left on device)" "$L" ||
    fail "the state files' trouble not said: $(tail -n 4 "$L")"
assert_eq "lines saying it" 1 "$(grep -c 'cannot write it' "$L")"
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
