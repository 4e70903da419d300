#!/bin/sh
# t-deriver-replay-identical: the same capture replayed twice (collector
# jsonl of one fixed JSONL file into two rings) gives byte-identical
# derived output, apart from the derived ring's own "seq": deriver(1)
# uses only the records' times, never the clock.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=20000
case $BIN in *build-san) N=5000 ;; esac

"$BIN/collector" --ring "$RING.src" --capacity 262144 sim --seed 5 \
    --count "$N" --rate "$N" 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.src" --no-follow >"$T/capture.jsonl" ||
    fail "shmreader"
for i in 1 2; do
	"$BIN/collector" --ring "$RING.in$i" --capacity 262144 jsonl --strict \
	    <"$T/capture.jsonl" 2>"$T/err" ||
	    fail "collector jsonl $i: $(cat "$T/err")"
	# a pause between the replays: the wall clock moves on
	[ "$i" = 2 ] || sleep 1
	"$BIN/deriver" --ring "$RING.in$i" --out "$RING.out$i" --no-follow \
	    --capacity 262144 --top 10:5 --bar 10ms --bar 100ms 2>"$T/err" ||
	    fail "deriver $i: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.out$i" --no-follow |
	    sed 's/,"seq":[0-9]*,/,/' >"$T/out$i.jsonl" || fail "shmreader $i"
done
for t in quote book_top bar xbest; do
	grep -q "^{\"type\":\"$t\"" "$T/out1.jsonl" || fail "no $t line"
done
cmp "$T/out1.jsonl" "$T/out2.jsonl" ||
    fail "the replays differ: $(diff "$T/out1.jsonl" "$T/out2.jsonl" |
    head -n 4 | cut -c 1-300)"
note "$(wc -l <"$T/out1.jsonl" | tr -d ' ') derived lines, identical"
exit 0
