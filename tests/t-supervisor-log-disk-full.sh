#!/bin/sh
# t-supervisor-log-disk-full: with the log directory's file system full
# (a tmpfs on STATE/log, in a private mount namespace, filled up) s6-log
# takes nothing; 2 MB of lines then written into a stage's log fifo, as
# a stage writes them, are taken at once: no writer waits, the
# collector's ring goes on and the pipeline goes on publishing; the lines
# that could not be held are dropped and counted, `tickpipe status` says
# how many, and once there is space again the log says how many lines
# were not logged (tickpipe(8) LOGS).  Before, s6-log -b stopped reading
# and, once the fifo held 64 KiB, every write to it waited, without a
# word (a stage in its write to stderr, the supervisor in its log).
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
trap 'tp stop >/dev/null 2>&1; tp_cleanup_umount "$STATE/log"' EXIT
mkdir -m 755 "$STATE" "$STATE/log"
mount -t tmpfs -o size=2m,mode=755 tmpfs "$STATE/log" ||
    skip "cannot mount a tmpfs on $STATE/log"
L=$STATE/log/supervisor/current

tp_run_up
# the file system full: what s6-log writes next fails (ENOSPC)
dd if=/dev/zero of="$STATE/log/fill" bs=4k 2>/dev/null
[ "$(df -P "$STATE/log" | awk 'NR == 2 { print $4 }')" = 0 ] ||
    fail "$STATE/log not full: $(df -P "$STATE/log" | tail -n 1)"

# 2 MB of lines into the pipeline's log, as its programs write them (the
# fifo opened for reading too, as the supervisor's stage_note does, so
# that the open never waits): taken at once, not waited for; bounded, so
# that the test goes on to say what a wait did
line='redispub: a line as a stage writes it to its log, made long enough'
# shellcheck disable=SC2016 # $1: the inner shell's
timeout 20 sh -c 'yes "$1" | head -n 30000' sh "$line" \
    1<>"$STATE/run/pipeline.log"
[ "$?" != 124 ] ||
    fail "2 MB of lines to a stage's log not taken in 20 s: its writer waits on the full log disk"

# the data path goes on: the ring, and Redis
seq_of() { "$BIN/shmreader" --ring "$RING" --stat | awk '$1 == "seq:" { print $2 }'; }
s1=$(seq_of)
[ -n "$s1" ] || fail "no sequence from shmreader --stat"
sleep 2
s2=$(seq_of)
[ "${s2:-0}" -gt "${s1:-0}" ] 2>/dev/null ||
    fail "the collector's ring did not advance with the log disk full ($s1, $s2)"
wait_for 10 data_flows ||
    fail "no pipeline message reached Redis with the log disk full"

# the count, in status
wait_for 10 sh -c "sh '$TP_SCRIPT' -c '$CONF' status | grep -q '^log of pipeline: [1-9][0-9]* lines ([0-9]* bytes) not logged, the last [0-9][0-9]*s ago (log disk full?)\$'" ||
    fail "status does not say the lines not logged: $(tp status 2>&1 | tail -n 4)"

# space again: the log says how many lines were not logged
rm -f "$STATE/log/fill"
wait_for 60 grep -q 'tickpipe-logrelay: [1-9][0-9]* lines ([0-9]* bytes) not logged over [0-9]*s: the logger took nothing (log disk full?)' \
    "$STATE/log/pipeline/current" ||
    fail "the log does not say the lines not logged: $(tail -n 2 "$STATE/log/pipeline/current" | cut -c 1-200)"
assert_all_up "not every stage up after the log disk was full"

# a stop with the disk full again and lines held for the logger ends,
# its loggers with it: each relay hands over for 2 s at most, gives its
# s6-log (which cannot write what it holds, and heeds no TERM) 2 s,
# then TERM and KILL, and the supervisor waits for them (tickpipe(8)
# LOGS).  Before, the relay waited for s6-log for ever, and the
# supervisor, its wait cut short by a CHLD, left them running.
dd if=/dev/zero of="$STATE/log/fill" bs=4k 2>/dev/null
# shellcheck disable=SC2016 # $1: the inner shell's
timeout 20 sh -c 'yes "$1" | head -n 30000' sh "$line" \
    1<>"$STATE/run/pipeline.log"
timeout 60 sh "$TP_SCRIPT" -c "$CONF" stop >"$T/stop" 2>&1
rc=$?
[ "$rc" != 124 ] ||
    fail "stop with the log disk full not done in 60 s: a logger holding lines it cannot write was waited for"
[ "$rc" = 0 ] || fail "stop: exit $rc: $(cat "$T/stop")"
no_procs_left
exit 0
