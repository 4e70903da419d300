#!/bin/sh
# t-supervisor-pid-reused-backoff: a stage's backoff timer that ended and
# was collected while another stage started, its pid gone meanwhile to a
# process the supervisor did not start, neither holds the stage in
# backoff nor is killed when the stage starts again (tickpipe(8): it
# never signals a process it did not start).  Before, kill -0 took that
# process for the timer: the stage waited as long as it ran, and the
# next start, or the stop, sent it SIGKILL.
# shellcheck disable=SC2034 # read by lib.sh
TP_PIDS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a deriver that exits at once, counting its starts, and a wsgate whose
# start lasts until the test says
STARTS=$T/deriver.starts GO=$T/go
export STARTS GO
stand_in wsgate <<'EOF2'
#!/bin/sh
while [ ! -e "$GO" ]; do sleep 0.05; done
echo >&3
exec sleep 600
EOF2
rm -f "$T/bin/deriver"
cat >"$T/bin/deriver" <<'EOF2'
#!/bin/sh
echo >>"$STARTS"
exit 1
EOF2
chmod +x "$T/bin/deriver"
write_conf "BIN_DIR=$T/bin" WSGATE=yes BACKOFF_MIN_MS=5000 BACKOFF_MAX_MS=5000
tp run >"$T/run.out" 2>&1 &
track $!
wait_for 30 grep -q '^starting ' "$STATE/run/wsgate.state" ||
    fail "wsgate not starting: $(cat "$STATE"/run/*.state)"
assert_eq "deriver's state as wsgate starts" backoff "$(stage_state deriver)"
sp=$(sup_pid)
timer=$(ps -o pid=,args= --ppid "$sp" | awk '$2 == "sleep" && $3 == "5.000" { print $1 }')
[ -n "$timer" ] || fail "no backoff timer among the supervisor's children: $(ps -o pid=,args= --ppid "$sp")"
# it ends as wsgate starts, and is collected then; its pid goes to
# another process
wait_for 10 sh -c "[ ! -e /proc/$timer ]" ||
    fail "the deriver's backoff timer (pid $timer) did not end"
tp_claim_pid "$timer" sleep 600
other=$!
n=$(wc -l <"$STARTS")
: >"$GO"
restarted=yes
wait_for 10 sh -c "[ \$(wc -l <'$STARTS') -gt $n ]" || restarted=no
tp stop >"$T/stop.out" 2>&1 || fail "stop exited $?: $(cat "$T/stop.out")"
! exited "$other" ||
    fail "pid $timer, the deriver's backoff timer's until it ended, then a process the supervisor did not start: killed by the supervisor"
[ "$restarted" = yes ] ||
    fail "the deriver was not started again after its backoff while another process had its timer's pid"
