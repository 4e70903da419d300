#!/bin/sh
# t-ring-writer-sigkill-restart: the writer is killed with SIGKILL in the
# middle of a stream, twice, and restarted each time.  Readers that were
# reading all along carry on: every record checked against its sequence,
# no sequence delivered twice (strictly increasing), every jump accounted
# as loss, the epoch counts the restarts, and each restarted writer
# continues the sequence after the last record the killed one published.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TOOL=$BIN/tests/ringtool
[ -x "$TOOL" ] || fail "$TOOL not built"
[ -x "$BIN/shmreader" ] || fail "$BIN/shmreader not built"
N=400000
case $BIN in *build-san) N=200000 ;; esac

pids=""
for i in 1 2; do
	"$TOOL" read "$RING" --until "$N" --wait-open --timeout 120 \
	    >"$T/r$i" 2>&1 &
	track $!
	pids="$pids $!"
done

# stat_field FIELD: one field of `shmreader --stat`
stat_field() {
	"$BIN/shmreader" --ring "$RING" --stat 2>/dev/null |
	    sed -n "s/^$1: //p"
}
# shellcheck disable=SC2317  # called through wait_for
seq_above() {
	s=$(stat_field seq)
	[ -n "$s" ] && [ "$s" -gt "$1" ]
}

# run_and_kill N: starts a paced writer, lets it write, kills it with
# SIGKILL; it must die of the signal, not finish.
prev=0
run_and_kill() {
	"$TOOL" write "$RING" --until "$N" --capacity 1024 --batch-max 16 \
	    --pace-us 100 >"$T/w$1" 2>&1 &
	wp=$!
	track "$wp"
	wait_for 60 seq_above $((prev + 5000)) ||
	    fail "writer $1 made no progress: $(cat "$T/w$1")"
	kill -KILL "$wp"
	wait "$wp"
	st=$?
	[ "$st" -eq 137 ] || fail "writer $1 was not killed (exit $st); raise N"
	seq=$(stat_field seq)
	[ "$seq" -gt "$prev" ] || fail "writer $1: cursor $seq after $prev"
	assert_eq "epoch after writer $1" "$1" "$(stat_field epoch)"
	note "writer $1 killed at seq $seq"
	prev=$seq
}
run_and_kill 1
run_and_kill 2

"$TOOL" write "$RING" --until "$N" --capacity 1024 --batch-max 16 \
    >"$T/w3" 2>&1 || fail "writer 3: $(cat "$T/w3")"
# it continues after the last record published: the cursor at the kill
# (prev), or up to a batch (--batch-max 16) past it, whose records the
# killed writer had published before it could move the cursor (readers
# may have read them: tickpipe-ring(5))
# shellcheck disable=SC2046
set -- $(cat "$T/w3")
assert_eq "writer 3: epoch, last" "epoch 3 last $N" "$1 $2 $5 $6"
[ "$4" -gt "$prev" ] && [ "$4" -le $((prev + 16)) ] ||
	fail "writer 3 does not continue the sequence after $prev: $(cat "$T/w3")"

i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || fail "reader $i exited $?: $(cat "$T/r$i")"
	# read N lost L gaps G first F last S epoch E
	# shellcheck disable=SC2046
	set -- $(cat "$T/r$i")
	note "reader $i: $*"
	assert_eq "reader $i: last" "$N" "${10}"
	assert_eq "reader $i: read + lost" "$((N - $8 + 1))" "$(($2 + $4))"
	assert_eq "reader $i: epochs seen" 3 "${12}"
done
exit 0
