#!/bin/sh
# t-supervisor-config-error: configuration errors are reported, never
# retried: a config file line with an unknown key or a bad value makes
# tickpipe exit 78 naming the file and line, before starting anything
# (values checked as a whole: a unit after a number, a port's range, a
# number without a leading 0; REDIS_ARGS without --daemonize or
# --unixsocket*, in any case (redis-server's option names are), nor
# after a tab; REDIS_BIND addresses, no option (--port); the
# ranges recorder(1) takes; a RING short enough for RING.derived, and
# a path (with a /) only if absolute, not a shm name's (/tickpipe.X); no
# CR), and the environment's, naming the variable;
# a stage that exits 64 (usage) is started exactly once, its exit and
# "not retried" are in `start`'s report (with the end of its log),
# `status` and the stage log, the stages that need it are not started,
# and stop cleans up.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf "COLECTOR_ARGS=--capacity 1024"
tp start >"$T/out" 2>&1
assert_eq "exit status for an unknown key" 78 "$?"
grep -q "tickpipe.conf:10: unknown key COLECTOR_ARGS" "$T/out" || fail "message: $(cat "$T/out")"
[ ! -e "$STATE" ] || fail "state dir created despite the config error"

write_conf "READY_TIMEOUT=soon"
tp status >"$T/out" 2>&1
assert_eq "exit status for a bad number" 78 "$?"
grep -q "tickpipe.conf:10: READY_TIMEOUT=soon: not a number" "$T/out" ||
    fail "message: $(cat "$T/out")"
sh "$TP_SCRIPT" -c "$T" status >"$T/out" 2>&1
assert_eq "exit status for a directory as the config" 78 "$?"
grep -q "$T: a directory, not a config file" "$T/out" || fail "message: $(cat "$T/out")"
# a leading 0 too: the shell reads 010 as octal, 09 as an error
for v in RECORDER_KEEP_AGE=2weeks RECORDER_KEEP_SIZE=1.5G \
    WSGATE_LISTEN=127.0.0.1:99999 READY_TIMEOUT=09 BACKOFF_MIN_MS=010 \
    REDIS_PORT=00 'REDIS_ARGS=--maxmemory 1gb --daemonize yes' \
    'REDIS_ARGS=--unixsocket /tmp/r.sock' 'REDIS_ARGS=--Daemonize yes' \
    'REDIS_ARGS=--UnixSocketPerm 777' "REDIS_ARGS=--daemonize$(printf '\t')yes" \
    RECORDER_KEEP_AGE=0d RECORDER_KEEP_AGE=106752d RECORDER_KEEP_SIZE=0K \
    RECORDER_KEEP_SIZE=16777216T "PREFIX=$(printf '%065d' 0)" \
    "RING=$(printf '%093d' 0)" 'REDIS_BIND=127.0.0.1 --port 6499' \
    'REDIS_BIND=-127.0.0.1' 'REDIS_BIND=127.0.0.1 -' RING=rings/r1 RING=./r1 \
    RING=/tickpipe.r1; do
	write_conf "$v"
	tp status >"$T/out" 2>&1
	assert_eq "exit status for $v" 78 "$?"
	grep -q "tickpipe.conf:10: $v: " "$T/out" || fail "message: $(cat "$T/out")"
done
# what recorder(1) and the rings take, the config takes: recorder and
# deriver failed at run time (a stage failed, not a 78 at once)
for v in RECORDER_KEEP_AGE=106751d RECORDER_KEEP_SIZE=16777215T PREFIX=a/b \
    'REDIS_BIND=127.0.0.1 ::1 localhost' "RING=$T/rings/r1" \
    "RING=$(printf '%092d' 0)" "DERIVER=no
RING=$(printf '%0100d' 0)"; do
	write_conf "$v"
	tp status >"$T/out" 2>&1
	[ "$?" != 78 ] || fail "$v refused: $(cat "$T/out")"
done
# a DOS text file: its invisible \r made values bad ("bad ring name")
write_conf "RING=crlf$(printf '\r')"
tp status >"$T/out" 2>&1
assert_eq "exit status for a CR" 78 "$?"
grep -q "tickpipe.conf:10: ends in a carriage return" "$T/out" ||
    fail "message: $(cat "$T/out")"
# the environment is not blamed on a config line
write_conf ""
TICKPIPE_STATE=rel tp status >"$T/out" 2>&1
assert_eq "exit status for TICKPIPE_STATE=rel" 78 "$?"
assert_eq "message for TICKPIPE_STATE=rel" \
    "tickpipe: TICKPIPE_STATE=rel: must be an absolute path" "$(cat "$T/out")"
# a state directory too long for the private Redis's socket
long=$T/$(printf '%0100d' 0)
TICKPIPE_STATE=$long tp status >"$T/out" 2>&1
assert_eq "exit status for a long TICKPIPE_STATE" 78 "$?"
assert_eq "message for a long TICKPIPE_STATE" \
    "tickpipe: STATE_DIR=$long: too long for the private Redis's socket $long/run/redis.sock (107 bytes at most)" \
    "$(cat "$T/out")"
[ ! -e "$long" ] || fail "state dir created despite the error"
TICKPIPE_LOG_LINES=abc tp logs >"$T/out" 2>&1
assert_eq "exit status for TICKPIPE_LOG_LINES=abc" 64 "$?"

write_conf "FEED=sim --rate fast"
if tp start >"$T/out" 2>&1; then fail "start succeeded with a collector usage error"; fi
grep -q "^collector .*64 (usage)" "$T/out" ||
    fail "start did not report the collector's exit 64: $(cat "$T/out")"
grep -q "rate fast" "$T/out" ||
    fail "start did not show the end of the collector's log: $(cat "$T/out")"
sleep 3	# time for (wrong) retries to show
[ -f "$STATE/log/collector/current" ] || { cat "$T/out"; ls -lR "$STATE"; fail "no collector log"; }
assert_eq "collector starts" 1 "$(grep -c 'starting collector' "$STATE/log/collector/current")"
grep -q "not retried" "$STATE/log/collector/current" || fail "collector log does not say not retried"
grep -q "rate fast" "$STATE/log/collector/current" || fail "collector's own message not in its log"
tp status >"$T/status" 2>&1 && fail "status exits 0 with a failed stage"
grep -Eq "^collector +failed .*64 \(usage\)" "$T/status" || fail "status: $(cat "$T/status")"
grep -Eq "^pipeline +blocked " "$T/status" || fail "pipeline started without a collector: $(grep '^pipeline' "$T/status")"
# blocked through a blocked stage: the one that failed is named
! grep -Eq "^derived " "$T/status" ||
    grep -Eq "^derived +blocked .*collector failed" "$T/status" ||
    fail "derived: $(grep '^derived' "$T/status")"
grep -Eq "^redis +up " "$T/status" || fail "redis not up: $(grep '^redis' "$T/status")"
if tp check >"$T/check" 2>&1; then fail "check exits 0 with a failed stage"; fi
grep -q "failed and not retried: collector" "$T/check" || fail "check: $(cat "$T/check")"
assert_eq "collector starts after check" 1 "$(grep -c 'starting collector' "$STATE/log/collector/current")"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
no_procs_left
note "unknown key and bad value: 78; collector usage error: started once, reported"
