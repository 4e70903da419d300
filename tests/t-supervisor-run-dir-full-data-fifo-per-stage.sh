#!/bin/sh
# t-supervisor-run-dir-full-data-fifo-per-stage: the pipeline and derived
# stages, both restarted while STATE_DIR/run is out of inodes and their
# data fifos are gone (a tmpfs on run/ whose inode limit is lowered, in the
# restarts' backoff, to what it holds, in a private mount namespace), each
# have their cause said once in the supervisor's log, and each its end
# once the inodes are back (tickpipe(8)).  Before, the causes were held in
# common: the stage that met the error second had it never said, and one
# stage's recovery said the end for both.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
[ -x "$BIN/deriver" ] || skip "deriver not built in $BIN"
# a backoff long enough for the inodes to be taken before either stage
# tries again
write_conf DERIVER=yes BACKOFF_MIN_MS=5000 BACKOFF_MAX_MS=5000 READY_TIMEOUT=3
run_tmpfs 1m
L=$STATE/log/supervisor/current
tries() { grep -c "tickpipe: $1: not started: 73 (cannot create): restarting" "$L"; }
both_tried() { [ "$(tries pipeline)" -ge 2 ] && [ "$(tries derived)" -ge 2 ]; }
said() {
	grep -c "$1: cannot start: .*/run/$1.data, the fifo from its shmreader to its redispub, cannot be made (No space left on device)" "$L"
}

tp_run_up
p=$(victim pipeline shmreader)
d=$(victim derived shmreader)
[ -n "$p" ] || fail "no shmreader in run/pipeline.pids"
[ -n "$d" ] || fail "no shmreader in run/derived.pids"
rm "$STATE/run/pipeline.data" "$STATE/run/derived.data" ||
    fail "cannot remove the data fifos"
kill -TERM "$p" "$d"
wait_for 30 grep -q 'tickpipe: pipeline: .*restarting in' "$L" ||
    fail "pipeline not restarted: $(tail -n 3 "$L")"
wait_for 30 grep -q 'tickpipe: derived: .*restarting in' "$L" ||
    fail "derived not restarted: $(tail -n 3 "$L")"
run_inodes_taken

# each stage tried again twice, not started, its cause said once
wait_for 60 both_tried ||
    fail "not tried again: $(grep -e 'pipeline:' -e 'derived:' "$L" | tail -n 4)"
assert_eq "pipeline's lines saying why in $(tries pipeline) tries" 1 "$(said pipeline)"
assert_eq "derived's lines saying why in $(tries derived) tries" 1 "$(said derived)"

# inodes free again: each stage's end said once, both up
mount -o remount,nr_inodes=1000 "$STATE/run" ||
    fail "cannot give $STATE/run its inodes back"
wait_for 30 all_up || assert_all_up "not every stage up again"
for s in pipeline derived; do
	assert_eq "$s: ends said" 1 \
	    "$(grep -c "$s: .*/run/$s.data made again: the stage starts" "$L")"
	assert_eq "$s: lines saying why after the end" 1 "$(said "$s")"
done
tp stop >"$T/stop" 2>&1 || fail "stop: $(cat "$T/stop")"
no_procs_left
