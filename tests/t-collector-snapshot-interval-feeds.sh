#!/bin/sh
# t-collector-snapshot-interval-feeds: --snapshot-interval is for the sim
# feed and the live venues (collector(1)): given with jsonl or replay,
# which make no snapshots of their own, it is a usage error (64), said
# in one line, and no ring is made.  It was taken and did nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
echo '{"type":"status","venue":"sim","ts":1,"recv":2,"status":"info"}' \
    >"$T/in.jsonl"
"$BIN/collector" --ring "$RING.src" --capacity 1024 sim --count 5 \
    --rate max 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.src" --no-follow --format raw >"$T/cap.raw" ||
    fail "shmreader --format raw"

for feed in "jsonl $T/in.jsonl" "replay $T/cap.raw"; do
	# shellcheck disable=SC2086 # feed: words
	timeout 10 "$BIN/collector" --ring "$RING" --snapshot-interval 100 \
	    $feed </dev/null 2>"$T/err"
	assert_eq "${feed%% *}: exit status" 64 "$?"
	[ ! -e "/dev/shm/tickpipe.$RING" ] || fail "${feed%% *}: a ring made"
	assert_eq "${feed%% *}: lines on stderr" 1 "$(wc -l <"$T/err")"
	grep -qF "collector: --snapshot-interval is for the sim feed and the live venues only" \
	    "$T/err" || fail "${feed%% *}: $(cat "$T/err")"
done
# still taken by sim
"$BIN/collector" --ring "$RING" --snapshot-interval 100 sim --count 1 \
    2>"$T/err" || fail "sim --snapshot-interval: $(cat "$T/err")"
exit 0
