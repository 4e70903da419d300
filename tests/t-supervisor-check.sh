#!/bin/sh
# t-supervisor-check: `tickpipe check` is quiet and changes nothing while
# all is well; after the supervisor itself was SIGKILLed it starts a new
# one, which replaces the processes the dead one left running (none of
# them survives, no stage runs twice), brings every stage up and data
# flows again; a second check is quiet again.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

tp_start
sp=$(sup_pid)
before=$(cat "$STATE/run/collector.pids")
tp check >"$T/check" 2>&1 || { cat "$T/check"; fail "check exited $? with all up"; }
[ ! -s "$T/check" ] || fail "check was not quiet with all up: $(cat "$T/check")"
assert_eq "supervisor after a check" "$sp" "$(sup_pid)"
assert_eq "collector after a check" "$before" "$(cat "$STATE/run/collector.pids")"

orphans=$(awk '{ print $1 }' "$STATE"/run/*.pids)
kill -KILL "$sp"
wait_for 5 eval "! running $sp" || fail "supervisor survived SIGKILL"
if tp status >"$T/status" 2>&1; then fail "status exits 0 with the supervisor dead"; fi
grep -q "supervisor: not running" "$T/status" || fail "status: $(head -n 1 "$T/status")"

tp check >"$T/check" 2>&1 || { cat "$T/check"; fail "check exited $? after the supervisor died"; }
sp2=$(sup_pid) || fail "check did not start a supervisor"
[ "$sp2" != "$sp" ] || fail "supervisor pid unchanged"
kill -0 "$sp2" || fail "new supervisor $sp2 not running"
assert_all_up "not all stages up after check"
for p in $orphans; do
	running "$p" && fail "process $p of the killed supervisor still runs"
done
n=$(pgrep -fc -- "collector -d 3 --ring $RING ")
assert_eq "collectors running" 1 "$n"
n=$(pgrep -fc -- "redis-server 127.0.0.1:$REDIS_PORT")
assert_eq "redis-servers running" 1 "$n"
wait_for 15 data_flows || fail "no data after check restored the pipeline"
tp check >"$T/check" 2>&1 || fail "second check exited $?"
[ ! -s "$T/check" ] || fail "second check not quiet: $(cat "$T/check")"
note "supervisor $sp killed; check started $sp2 and replaced $(echo "$orphans" | wc -w) orphans"
