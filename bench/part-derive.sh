#!/bin/sh
# part-derive.sh: the cost of the derived streams per input record:
# deriver(1) reading a simulator ring written at max rate, against
# shmreader printing the same ring as JSON to /dev/null (what any JSON
# consumer of the ring pays) and, the floor of reading the ring, against
# `shmreader --format raw` (records copied out, nothing formatted).
# Each is the best of three runs over the whole ring (--no-follow), so
# the rows compare the two side by side in this run (wall time, whole
# processes: mapping the rings included).
set -u
N=200000
ring="benchderive.$$"
trap '"$BIN/shmreader" --ring "$ring" --unlink 2>/dev/null
	"$BIN/shmreader" --ring "$ring.d" --unlink 2>/dev/null' EXIT
"$BIN/collector" --ring "$ring" --capacity 262144 sim --seed 1 --count "$N" \
    --rate max 2>/dev/null || exit 1
recs=$("$BIN/shmreader" --ring "$ring" --stat | sed -n 's/^seq: //p')

# best_ns CMD...: the shortest wall time of three runs, in ns; before
# each, untimed, fresh_out when the runs are deriver's
fresh=0
fresh_out() { "$BIN/shmreader" --ring "$ring.d" --unlink 2>/dev/null || :; }
best_ns() {
	_best=0
	for _i in 1 2 3; do
		[ "$fresh" = 0 ] || fresh_out
		_t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || return 1
		_t=$(( $(date +%s%N) - _t0 ))
		[ "$_best" -ne 0 ] && [ "$_best" -le "$_t" ] || _best=$_t
	done
	echo "$_best"
}
json=$(best_ns "$BIN/shmreader" --ring "$ring" --no-follow) || exit 1
floor=$(best_ns "$BIN/shmreader" --ring "$ring" --no-follow --format raw) || exit 1
# each deriver run on a new output ring: on the one a run wrote, deriver
# --from oldest continues it (deriver(1), Restarts): it would derive
# everything again but publish nothing, another amount of work
fresh=1
dflt=$(best_ns "$BIN/deriver" --ring "$ring" --out "$ring.d" --no-follow \
    --capacity 262144) || exit 1
dense=$(best_ns "$BIN/deriver" --ring "$ring" --out "$ring.d" --no-follow \
    --capacity 262144 --top 20:1 --top 5:10 --bar 1ms --bar 10ms) || exit 1

row() {	# what ns
	per=$(( $2 / recs )) js=$(( json / recs )) fl=$(( floor / recs ))
	ratio=$(awk -v a="$2" -v b="$json" 'BEGIN { printf "%.2f", a / b }')
	fr=$(awk -v a="$2" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
	ok=$(awk -v r="$ratio" 'BEGIN { print (r < 2) ? "yes" : "no" }')
	echo "| derive | $1, per input record, against shmreader on the same ring ($recs records) printing JSON to /dev/null; and the floor, shmreader --format raw | $per ns vs $js ns ($ratio x); floor $fl ns ($fr x) | < 2 x shmreader (JSON) | $ok |"
}
row "deriver, default streams (top 20:100, bars 1s 1m, quotes, xbest)" "$dflt"
row "deriver, dense (top 20:1 and 5:10, bars 1ms 10ms)" "$dense"
