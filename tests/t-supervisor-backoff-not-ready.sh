#!/bin/sh
# t-supervisor-backoff-not-ready: a stage that never gets ready backs off
# as one that keeps exiting, the wait doubling (tickpipe(8)): the time it
# stayed up, for BACKOFF_RESET, counts from its readiness, not from its
# start (with READY_TIMEOUT >= BACKOFF_RESET, as by default, it was
# retried at BACKOFF_MIN_MS for ever).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a collector that runs and never says it is ready
printf '#!/bin/sh\nexec sleep 1000\n' | stand_in collector
write_conf "BIN_DIR=$T/bin" READY_TIMEOUT=1 BACKOFF_RESET=1 \
    BACKOFF_MIN_MS=100 BACKOFF_MAX_MS=30000
tp start >"$T/out" 2>&1 && fail "start exited 0 with a collector never ready"
wait_for 30 sh -c "[ \$(grep -c 'collector: .*restarting in' \
    '$STATE/log/supervisor/current') -ge 3 ]" ||
    fail "fewer than 3 restarts: $(grep collector "$STATE/log/supervisor/current")"
grep 'collector: .*restarting in' "$STATE/log/supervisor/current" |
    sed 's/.*restarting in \([0-9.]*\) s.*/\1/' | head -n 3 >"$T/waits"
assert_eq "the waits of the first three restarts" "0.100 0.200 0.400" \
    "$(paste -sd ' ' "$T/waits")"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
no_procs_left
