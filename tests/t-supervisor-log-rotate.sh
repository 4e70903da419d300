#!/bin/sh
# t-supervisor-log-rotate: a stage log that grows past LOG_MAX bytes is
# copied to STAGE.log.1 and truncated in place (within the supervisor's
# 10 s check), older copies are shifted up to LOG_KEEP, and the program
# goes on writing to STAGE.log.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf LOG_MAX=4000 LOG_KEEP=2
tp start >"$T/out" 2>&1 || { cat "$T/out"; fail "tickpipe start exited $?"; }
log=$STATE/log/collector.log
# as if the collector had been chatty
i=0
while [ $i -lt 200 ]; do echo "first round: filler line $i of a chatty program"; i=$((i + 1)); done >>"$log"
wait_for 20 test -f "$log.1" || fail "$log not rotated at $(wc -c <"$log") bytes"
grep -q "first round: filler line 199" "$log.1" || fail "rotated copy lacks the old lines"
[ "$(wc -c <"$log")" -le 4000 ] || fail "$log still $(wc -c <"$log") bytes"
# the collector still writes to its (truncated) log
kill -USR1 "$(stage_pids collector)"
wait_for 10 sh -c "[ -s '$log' ]" || fail "nothing written to $log after the rotation"
i=0
while [ $i -lt 200 ]; do echo "second round: filler line $i of a chatty program"; i=$((i + 1)); done >>"$log"
wait_for 20 test -f "$log.2" || fail "no second rotation"
grep -q "first round: filler line 199" "$log.2" || fail "$log.2 is not the older copy"
