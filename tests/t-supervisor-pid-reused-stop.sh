#!/bin/sh
# t-supervisor-pid-reused-stop: a stage's process that died and was
# collected while the supervisor stopped another stage is not signalled
# when its own stage's turn comes, its pid having gone meanwhile to a
# process the supervisor did not start (tickpipe(8): it never signals a
# process it did not start).  Before, it took a pid for its child while
# kill -0 passed: the shell had collected the recorder as it waited for
# wsgate, and the recorder's SIGTERM went to whatever then had its pid.
# shellcheck disable=SC2034 # read by lib.sh
TP_PIDS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a wsgate that takes STOP_TIMEOUT to stop: it ignores SIGTERM
stand_in wsgate <<'EOF2'
#!/bin/sh
trap '' TERM
echo >&3
exec sleep 600
EOF2
write_conf "BIN_DIR=$T/bin" WSGATE=yes DERIVER=no STOP_TIMEOUT=10
tp_start
rp=$(victim recorder recorder)
[ -n "$rp" ] || fail "no recorder in $STATE/run/recorder.pids"

tp stop >"$T/stop.out" 2>&1 &
stopper=$!
wait_for 10 grep -q '^stopping ' "$STATE/supervisor.state" ||
    fail "the supervisor is not stopping: $(cat "$STATE/supervisor.state")"
# wsgate first, for 10 s: meanwhile the recorder dies, is collected, and
# its pid goes to another process
kill -KILL "$rp"
wait_for 5 sh -c "[ ! -e /proc/$rp ]" ||
    fail "the killed recorder (pid $rp) was not collected"
tp_claim_pid "$rp" sleep 600
wait_pid 60 "$stopper" "tickpipe stop" >/dev/null ||
    fail "stop exited $?: $(cat "$T/stop.out")"
! exited "$rp" ||
    fail "pid $rp, the recorder's until it died, then a process the supervisor did not start: signalled as the supervisor stopped"
