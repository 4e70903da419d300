#!/bin/sh
# t-deriver-restart-publishes-once: deriver(1) restarted --from oldest
# on its output ring continues it (deriver(1), Restarts): a capture
# written into ring A in two halves, derived after each (--no-follow),
# then once more with nothing new, leaves the output ring holding what
# one run on the whole capture writes, seqs aside: each quote, book_top,
# bar and xbest once, not again as new seqs.  Each restart says how many
# input records it re-read without publishing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=3000
case $BIN in *build-san) N=1000 ;; esac

"$BIN/collector" --ring "$RING.src" --capacity 65536 sim --seed 5 \
    --count "$N" --rate "$N" 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.src" --no-follow >"$T/capture.jsonl" ||
    fail "shmreader"
half=$(($(wc -l <"$T/capture.jsonl") / 2))
head -n "$half" "$T/capture.jsonl" >"$T/first"
tail -n "+$((half + 1))" "$T/capture.jsonl" >"$T/second"

# feed RING FILE: the lines of FILE into RING (made if new)
feed() {
	"$BIN/collector" --ring "$1" --capacity 65536 jsonl --strict <"$2" \
	    2>"$T/err" || fail "collector jsonl $1: $(cat "$T/err")"
}
# derive IN OUT N: deriver from IN into OUT, its standard error in
# $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$1" --out "$2" --no-follow --capacity 65536 \
	    --top 10:5 --bar 10ms 2>"$T/derive.$3.err" ||
	    fail "deriver $3: $(cat "$T/derive.$3.err")"
}
# lines RING FILE: RING's records as lines, without their seq
lines() {
	"$BIN/shmreader" --ring "$1" --no-follow 2>"$T/err" |
	    sed 's/,"seq":[0-9]*,/,/' >"$2" || fail "shmreader $1"
}

# one run on the whole capture
feed "$RING.b" "$T/capture.jsonl"
derive "$RING.b" "$RING.e" 0
lines "$RING.e" "$T/once"
for t in quote book_top bar xbest; do
	grep -q "^{\"type\":\"$t\"" "$T/once" || fail "no $t line"
done

feed "$RING.a" "$T/first"
derive "$RING.a" "$RING.d" 1
[ ! -s "$T/derive.1.err" ] ||
    fail "said on a new output ring: $(cat "$T/derive.1.err")"
feed "$RING.a" "$T/second"
derive "$RING.a" "$RING.d" 2
derive "$RING.a" "$RING.d" 3
lines "$RING.d" "$T/restarted"
cmp "$T/once" "$T/restarted" >/dev/null ||
    fail "the restarts wrote $(wc -l <"$T/restarted" | tr -d ' ') lines, one run $(wc -l <"$T/once" | tr -d ' '): $(diff "$T/once" "$T/restarted" |
    head -n 3 | cut -c 1-200)"
for i in 2 3; do
	grep -q "^deriver: ring $RING.d holds what was derived up to input seq [0-9]*: [1-9][0-9]* input records re-read without publishing\$" \
	    "$T/derive.$i.err" ||
	    fail "restart $i did not say it: $(cat "$T/derive.$i.err")"
done
note "$(wc -l <"$T/once" | tr -d ' ') derived lines, once"
exit 0
