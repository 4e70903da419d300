#!/bin/sh
# t-recorder-supervised: tickpipe(8) runs the recorder stage by default:
# it is up with the pipeline, records the simulator into
# STATE_DIR/history with the default retention (7 days, 1 GiB), and a
# stop leaves a file with its index that `recorder cat` reads cleanly.
# With RECORDER=no the stage is disabled and nothing is recorded.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf "RECORDER_ARGS=--flush 100"
tp_start
tp status >"$T/status" || { cat "$T/status"; fail "status exited $?"; }
grep -Eq "^recorder +up " "$T/status" || fail "recorder not up: $(cat "$T/status")"
pid=$(victim recorder recorder)
[ -n "$pid" ] || fail "no recorder process in $STATE/run/recorder.pids"
args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
case $args in
*"--ring $RING --keep-age 7d --keep-size 1G --flush 100 $STATE/history "*) ;;
*) fail "recorder started as: $args" ;;
esac
trades() { "$BIN/recorder" cat --type trade "$STATE/history" 2>/dev/null | grep -q '"type":"trade"'; }
wait_for 15 trades || fail "no trade recorded in $STATE/history"
tp stop >"$T/out" 2>&1 || { cat "$T/out"; fail "stop exited $?"; }
ls "$STATE"/history/*/tickpipe-*.tph.idx >/dev/null 2>&1 ||
    fail "no index after stop: $(ls -R "$STATE/history")"
"$BIN/recorder" cat "$STATE/history" >"$T/all.jsonl" 2>"$T/err" ||
    fail "recorder cat after stop: exit $?: $(cat "$T/err")"
[ -s "$T/err" ] && fail "recorder cat said: $(cat "$T/err")"
n=$(wc -l <"$T/all.jsonl")

rm -rf "$STATE/history"
write_conf "RECORDER=no"
tp_start
tp status >"$T/status"
grep -Eq "^recorder +disabled" "$T/status" || fail "RECORDER=no: $(cat "$T/status")"
tp stop >/dev/null 2>&1 || fail "stop exited $?"
[ -e "$STATE/history" ] && fail "RECORDER=no: $STATE/history made"
note "$n messages recorded under the supervisor"
exit 0
