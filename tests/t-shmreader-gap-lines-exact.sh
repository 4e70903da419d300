#!/bin/sh
# t-shmreader-gap-lines-exact: a shmreader whose consumer stalls is lapped
# by the writer; it prints {"type":"gap","from":F,"lost":L} lines and goes
# on.  The printed sequences and the gap ranges together cover every
# record exactly once, with no overlap and no hole: the reported loss is
# exactly what was missed.  (One record per message here, trades only, so
# every record shows as a line.)  Once the ring is idle, everything read
# reaches the consumer without shmreader exiting (idle flush).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=100000
case $BIN in *build-san) N=30000 ;; esac
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\",\"vseq\":%d,\"ts\":%d,\"recv\":%d,\"price\":\"100.%02d\",\"qty\":\"1\",\"side\":\"buy\",\"tid\":\"%d\"}\n", i, i, i, i % 100, i }' \
    >"$T/in.jsonl"

# shmreader starts before the ring exists; its consumer reads nothing
# until the writer is done, so shmreader blocks on the pipe and is lapped
mkfifo "$T/pipe"
( while [ ! -e "$T/done" ]; do sleep 0.1; done; exec cat ) <"$T/pipe" \
    >"$T/out" &
track $!
"$BIN/shmreader" --ring "$RING" >"$T/pipe" 2>"$T/err" &
sp=$!
track $sp
"$BIN/collector" --ring "$RING" --capacity 1024 jsonl --strict "$T/in.jsonl" \
    2>"$T/cerr" || fail "collector: $(cat "$T/cerr")"
touch "$T/done"
wait_for 60 grep -q "\"tid\":\"$N\"" "$T/out" ||
    fail "the last record never reached the consumer (no idle flush?)"
kill -0 $sp 2>/dev/null || fail "shmreader exited: $(cat "$T/err")"
kill -TERM $sp
wait $sp
assert_eq "shmreader exit status after SIGTERM" 0 "$?"

# walk the output: each data line is one sequence, each gap a range
awk '
/"type":"gap"/ {
	match($0, /"from":[0-9]+/); f = substr($0, RSTART + 7, RLENGTH - 7) + 0
	match($0, /"lost":[0-9]+/); l = substr($0, RSTART + 7, RLENGTH - 7) + 0
	if (next_seq && f != next_seq) { print "gap from " f ", expected " next_seq; bad = 1 }
	if (l <= 0) { print "empty gap"; bad = 1 }
	if (!first) first = f	# lapped before its first record
	next_seq = f + l; lost += l; gaps++; next
}
{
	match($0, /"seq":[0-9]+/); s = substr($0, RSTART + 6, RLENGTH - 6) + 0
	match($0, /"tid":"[0-9]+"/); t = substr($0, RSTART + 7, RLENGTH - 8) + 0
	if (s != t) { print "seq " s " holds tid " t; bad = 1 }
	if (next_seq && s != next_seq) { print "seq " s ", expected " next_seq; bad = 1 }
	if (!first) first = s
	next_seq = s + 1; got++
}
END {
	printf "first %d last %d read %d lost %d gaps %d\n", first, next_seq - 1, got, lost, gaps
	exit bad
}' "$T/out" >"$T/walk" || fail "$(cat "$T/walk")"
note "$(tail -n 1 "$T/walk")"
# shellcheck disable=SC2046
set -- $(tail -n 1 "$T/walk")
assert_eq "last sequence" "$N" "$4"
assert_eq "read + lost" "$((N - $2 + 1))" "$(($6 + $8))"
[ "${10}" -gt 0 ] || fail "shmreader was never lapped"
exit 0
