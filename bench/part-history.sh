#!/bin/sh
# part-history.sh: the recorder (recorder(1)) and the history it writes:
# recording against `collector sim --rate max` on a ring of the default
# capacity (it must not be lapped: the laps are reported), bytes per
# message against raw records and gzip'd JSONL, replay (`collector replay
# --speed max` of the history, beside the same of a raw capture) and
# range queries (`recorder cat`) in messages per second.  Goal: 1 M msg/s
# replayed.  The recording is measured twice in one run, its reader
# thread under the normal policy and under SCHED_FIFO (--rt-prio
# HISTORY_BENCH_RT, 1 by default), so that both see the same load.
set -u
: "${BIN:?}"
N=${HISTORY_BENCH_MSGS:-1000000}
RT=${HISTORY_BENCH_RT:-1}
d=$(mktemp -d)
ring="benchhist.$$"
rpid=
cleanup() {
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null
	[ -z "$rpid" ] || wait "$rpid" 2>/dev/null
	for r in "$ring.a" "$ring.b" "$ring.c" "$ring.d" "$ring.e" "$ring.f"; do
		"$BIN/shmreader" --ring "$r" --unlink 2>/dev/null
	done
	rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' HUP INT PIPE TERM
now() { date +%s%N; }
# rate COUNT NS: per second
rate() { echo $(($1 * 1000000000 / ($2 > 0 ? $2 : 1))); }
# status: the recorder's last status line (SIGUSR1)
status() {
	kill -0 "$rpid" 2>/dev/null ||
		{ echo "part-history: the recorder exited" >&2; exit 1; }
	kill -USR1 "$rpid"
	sleep 0.05
	grep '^recorder: status:' "$d/rec.err" | tail -n 1
}
field() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"; }
# caught_up CURSOR: the recorder has written its last record
caught_up() {
	s=$(status)
	l=$(field "$s" last_seq)
	[ "${l:-0}" -ge "$1" ]
}

echo "| history | load average at the start | $(cut -d ' ' -f 1-3 /proc/loadavg) | | |"

# 1. recording while sim writes as fast as it can, at zstd level -3 (the
# default) with the reader under the normal policy and real-time (the
# default), and at the smaller level -1 under the normal policy, side by
# side
rec_vs_sim() {		# LEVEL RTPRIO RING DIR
lv=$1 rt=$2 rg=$3
# the ring made first, so that the recorder finds it at once: nothing is
# gone before it looks (it looks for a missing ring every 10 ms, in which
# sim --rate max laps a ring of 65536)
"$BIN/collector" --ring "$rg" sim --count 1 2>/dev/null ||
	{ echo "part-history: collector sim --count 1 failed" >&2; exit 1; }
"$BIN/recorder" --ring "$rg" --level "$lv" --rt-prio "$rt" --flush 50 "$4" \
    2>"$d/rec.err" &
rpid=$!
what="--level $lv --rt-prio $rt"
sleep 0.3
! grep -q 'rt-prio.*normal policy' "$d/rec.err" ||
	what="$what (not permitted: normal policy)"
t0=$(now)
# sim's CPU time: its shell's children's, from /proc (ticks)
simcpu=$(sh -c '"$0" --ring "$1" sim --rate max --count "$2" 2>/dev/null ||
    exit 1; cut -d " " -f 16,17 /proc/$$/stat' "$BIN/collector" "$rg" "$N") ||
	{ echo "part-history: collector sim failed" >&2; exit 1; }
t1=$(now)
cursor=$("$BIN/shmreader" --ring "$rg" --stat | sed -n 's/^seq: //p')
i=0
while ! caught_up "$cursor"; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "part-history: recorder did not catch up" >&2; exit 1; }
done
t2=$(now)
s=$(status)
reccpu=$(($(cut -d " " -f 14,15 "/proc/$rpid/stat" | tr ' ' '+')))
# per thread, from schedstat: ns on a processor, ns runnable but waiting
# for one; the reader is the main thread, the writer the other
rsched=$(cat "/proc/$rpid/task/$rpid/schedstat" 2>/dev/null)
wsched=$(for t in "/proc/$rpid/task/"*; do
	[ "$t" = "/proc/$rpid/task/$rpid" ] || cat "$t/schedstat"
done 2>/dev/null)
kill "$rpid"
wait "$rpid"
rpid=
recs=$(field "$s" records)
lost=$(field "$s" lost)
gaps=$(field "$s" gaps)
waits=$(field "$s" waits)
peak=$(field "$s" queue_peak)
# what sim wrote that the recorder neither recorded nor counted lost:
# none, as it found the ring before sim wrote (see above)
before=$((cursor - recs - lost))
met=no
[ "$lost" = 0 ] && [ "$before" = 0 ] && met=yes
echo "| history | recorder $what beside sim --rate max, ring of 65536: records written / recorded per second | $(rate "$cursor" $((t1 - t0))) / $(rate "$recs" $((t2 - t0))) rec/s | keeps up | $met |"
echo "| history | recorder $what at sim --rate max: records recorded / lost to laps (gaps) / gone before it found the ring / written; times its reader waited for the writer (a full --queue); most packed bytes queued for the writer | $recs / $lost ($gaps) / $before / $cursor; $waits; $peak | 0 lost | $met |"
simcpu=$(($(echo "$simcpu" | tr ' ' '+')))
tck=$(getconf CLK_TCK)
met=no
[ "$reccpu" -lt "$simcpu" ] && met=yes
ms() { echo "$1" | awk '{ printf "%d / %d", $1 / 1e6, $2 / 1e6 }'; }
[ -z "$rsched" ] ||
echo "| history | recorder $what at sim --rate max: its reader thread on a processor / runnable but waiting for one; the same of its writer thread (schedstat) | $(ms "$rsched") ms; $(ms "$wsched") ms | | |"
echo "| history | recorder $what at sim --rate max: CPU time of sim / of the recorder (both threads), user + system | $((simcpu * 1000 / tck)) / $((reccpu * 1000 / tck)) ms ($((reccpu * 100 / (simcpu > 0 ? simcpu : 1)))%) | recorder below sim | $met |"
}
rec_vs_sim -3 0 "$ring.a" "$d/a"
rec_vs_sim -3 "$RT" "$ring.f" "$d/f"
rec_vs_sim -1 0 "$ring.e" "$d/e"

# 2. a history without laps: sim into a ring that holds it all, then the
# recorder drains it: each alone, their rates side by side.  The 1 GiB
# ring is made and its pages reserved first, outside the time of sim's
# writing (which reopens it, its sequence going on).
"$BIN/collector" --ring "$ring.b" --capacity 4194304 sim --count 1 \
    2>/dev/null || { echo "part-history: sim b failed" >&2; exit 1; }
t0=$(now)
"$BIN/collector" --ring "$ring.b" --capacity 4194304 sim --rate max \
    --count "$N" 2>/dev/null || { echo "part-history: sim b failed" >&2; exit 1; }
t1=$(now)
cursor=$("$BIN/shmreader" --ring "$ring.b" --stat | sed -n 's/^seq: //p')
[ "$cursor" -gt "$N" ] ||
	{ echo "part-history: sim b wrote $cursor records, not $N + 1" >&2; exit 1; }
"$BIN/recorder" --ring "$ring.b" --flush 50 "$d/b" 2>"$d/rec.err" &
rpid=$!
t2=$(now)
sleep 0.1	# its SIGUSR1 handler in place (the rate is a lower bound)
while ! caught_up "$cursor"; do sleep 0.01; done
t3=$(now)
echo "| history | each alone: sim --rate max writing / recorder (level -3, the default) draining a full ring | $(rate "$N" $((t1 - t0))) / $(rate "$cursor" $((t3 - t2))) rec/s | recorder faster | $([ $((t1 - t0)) -gt $((t3 - t2)) ] && echo yes || echo no) |"
kill "$rpid"
wait "$rpid"
rpid=
"$BIN/shmreader" --ring "$ring.b" --no-follow --format raw >"$d/cap.raw"
"$BIN/shmreader" --ring "$ring.b" --no-follow >"$d/all.jsonl"
msgs=$(wc -l <"$d/all.jsonl")
hist=$(cat "$d"/b/*/* | wc -c)
raw=$(($(wc -c <"$d/cap.raw") - 64))
gz=$(gzip -c "$d/all.jsonl" | wc -c)
bpm() { echo "$(($1 / msgs)).$(( ($1 % msgs) * 10 / msgs ))"; }
met=no
[ "$hist" -lt "$gz" ] && met=yes
echo "| history | bytes per message ($msgs sim msgs): zstd history / raw records / gzip'd JSONL | $(bpm "$hist") / $(bpm "$raw") / $(bpm "$gz") B | below gzip'd JSONL | $met |"

# 3. replay as fast as possible: history, and a raw capture beside it
# replayed STATUS COUNT RING: each replay must end well and fill its ring
# with the whole history, or the rate would be of nothing
replayed() {
	_rc=$("$BIN/shmreader" --ring "$3" --stat 2>/dev/null | sed -n 's/^seq: //p')
	[ "$1" = 0 ] && [ "${_rc:-0}" -ge "$2" ] && return
	echo "part-history: replay into $3 exited $1 with ${_rc:-no} records of $2: $(tail -n 1 "$d/replay.err")" >&2
	exit 1
}
t0=$(now)
"$BIN/collector" --ring "$ring.c" replay --speed max "$d/b" 2>"$d/replay.err"
rs=$?
t1=$(now)
replayed "$rs" "$msgs" "$ring.c"
t1b=$(now)
"$BIN/collector" --ring "$ring.d" replay --speed max "$d/cap.raw" 2>"$d/replay.err"
rs=$?
t2=$(now)
replayed "$rs" "$msgs" "$ring.d"
hr=$(rate "$msgs" $((t1 - t0)))
met=no
[ "$hr" -ge 1000000 ] && met=yes
echo "| history | collector replay --speed max into a ring: history / raw capture | $hr / $(rate "$msgs" $((t2 - t1b))) msg/s | >= 1000000 msg/s (history) | $met |"

# 4. range queries: everything, and the middle tenth by time; each must
# exit 0 (it has printed every record asked for, recorder(1))
catfail() { echo "part-history: recorder cat $1 exited $2: $(tail -n 1 "$d/cat.err")" >&2; exit 1; }
t0=$(now)
"$BIN/recorder" cat --format raw "$d/b" >/dev/null 2>"$d/cat.err" || catfail "--format raw" $?
t1=$(now)
"$BIN/recorder" cat "$d/b" >/dev/null 2>"$d/cat.err" || catfail "" $?
t2=$(now)
# the ts of the records 45 % and 55 % of the way (the first record, of
# the run that made the ring, is older than the rest by far)
ts_at() { sed -n "$1{s/.*\"ts\":\([0-9]*\).*/\1/p;q;}" "$d/all.jsonl"; }
from=$(ts_at $((msgs * 45 / 100)))
to=$(ts_at $((msgs * 55 / 100)))
t3=$(now)
"$BIN/recorder" cat --format raw --from "$from" --to "$to" "$d/b" \
    >"$d/part.raw" 2>"$d/cat.err" || catfail "--from --to" $?
t4=$(now)
part=$(wc -c <"$d/part.raw")
[ "$part" -gt 64 ] || catfail "--from $from --to $to (no record)" 0
"$BIN/recorder" cat -v --from "$from" --to "$to" "$d/b" 2>"$d/cat.err" >/dev/null
blocks=$(sed -n 's/.* blocks \([0-9]*\) skipped by the index \([0-9]*\).*/\1 of \1+\2/p' "$d/cat.err")
echo "| history | recorder cat of everything: raw / JSONL | $(rate "$msgs" $((t1 - t0))) / $(rate "$msgs" $((t2 - t1))) msg/s | | |"
echo "| history | recorder cat --from --to the middle tenth, raw: $(( (part - 64) / 256 )) records in $(( (t4 - t3) / 1000000 )) ms, blocks decoded $blocks | $(rate "$(( (part - 64) / 256 ))" $((t4 - t3))) rec/s | | |"
