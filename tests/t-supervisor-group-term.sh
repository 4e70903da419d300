#!/bin/sh
# t-supervisor-group-term: SIGTERM to the supervisor's whole process
# group (what timeout(1), a service manager's stop or a job's kill
# sends) stops everything and the supervisor exits (tickpipe(8),
# SIGNALS).  Before, its loggers and their sleeps died with the rest and
# the supervisor, logging "stopping", blocked for ever opening its log's
# fifo, which no one read any more: status went on saying every stage
# was up.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a process group of its own, not this test's
setsid sh "$TP_SCRIPT" -c "$CONF" start >"$T/out" 2>&1 ||
    fail "start: $(cat "$T/out")"
sp=$(sup_pid)
pg=$(sed 's/.*) //' "/proc/$sp/stat" | cut -d' ' -f3)
[ "$pg" != "$(sed 's/.*) //' "/proc/$$/stat" | cut -d' ' -f3)" ] ||
    fail "the supervisor is in the test's process group"
kill -TERM "-$pg"
gone() { ! kill -0 "$sp" 2>/dev/null; }
wait_for 30 gone ||
    fail "the supervisor still runs 30 s after TERM to its group: $(ps -o stat=,wchan= -p "$sp")"
left=$(ps -eo pgid=,pid=,args= | awk -v g="$pg" '$1 == g')
[ -z "$left" ] || fail "left in its group: $left"
