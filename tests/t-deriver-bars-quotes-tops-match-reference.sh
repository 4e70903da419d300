#!/bin/sh
# t-deriver-bars-quotes-tops-match-reference: deriver(1) on a simulator
# capture writes exactly the quotes, top-N books, bars (OHLC, volumes,
# trade count, VWAP rounded half-even) and cross-venue lines that an
# independent model (tests/deriver/ref.py, decimal.Decimal from the same
# input lines) computes, in the same order, byte for byte but "seq".
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=20000
case $BIN in *build-san) N=5000 ;; esac
A=$RING.a
D=$RING.d

# about one second of venue time: many 10 ms bars and 5 ms top-N ticks
"$BIN/collector" --ring "$A" --capacity 262144 sim --seed 11 --count "$N" \
    --rate "$N" 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --capacity 262144 --no-follow \
    --top 5:5 --top 2:20 --bar 10ms --bar 50ms --stale 3 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$D" --no-follow 2>"$T/err" |
    sed 's/,"seq":[0-9]*,/,/' >"$T/out.jsonl" || fail "shmreader D"
/usr/bin/python3 "$TESTS/deriver/ref.py" --top 5:5 --top 2:20 --bar 10 \
    --bar 50 --stale 3 <"$T/in.jsonl" >"$T/ref.jsonl" ||
    fail "ref.py failed"

for t in quote book_top bar xbest; do
	c=$(grep -c "^{\"type\":\"$t\"" "$T/ref.jsonl")
	[ "$c" -gt 10 ] || fail "the model expects only $c $t lines"
	note "$t: $c lines"
done
grep -q '"trades":0,' "$T/ref.jsonl" || note "no empty bar in the sample"
cmp "$T/ref.jsonl" "$T/out.jsonl" ||
    fail "deriver differs from the model: $(diff "$T/ref.jsonl" \
    "$T/out.jsonl" | head -n 4 | cut -c 1-300)"
exit 0
