# shellcheck shell=sh
# tests/deriver/dv.sh: sourced by deriver tests after lib.sh, which set
# A (the input ring) and D (the derived ring): crafted input lines and
# the rings' contents.

# book_line TYPE MS BIDS ASKS: a sim BTC-USD book line (TYPE book_snapshot
# or book_delta) at MS ms, venue and receive time
book_line() {
	printf '{"type":"%s","venue":"sim","symbol":"BTC-USD","ts":%s000000,"recv":%s000000,"bids":%s,"asks":%s}\n' \
	    "$1" "$2" "$2" "$3" "$4"
}

# feed_a [CAPACITY]: the lines in $T/lines into ring A (made with
# CAPACITY records, 64 unless given); run in this shell (not at the end
# of a pipeline, a subshell), so that a collector that fails fails the
# test
# shellcheck disable=SC2120 # its CAPACITY: some callers give it
feed_a() {
	"$BIN/collector" --ring "$A" --capacity "${1:-64}" jsonl --strict \
	    <"$T/lines" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
}

derived() { "$BIN/shmreader" --ring "$D" --no-follow 2>/dev/null; }

# trade_line S PRICE QTY SIDE: a sim BTC-USD trade at S s
trade_line() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s000000000,"recv":%s000000000,"price":"%s","qty":"%s","side":"%s","tid":"x"}\n' \
	    "$1" "$1" "$2" "$3" "$4"
}

# bars_1s: the lines in $T/lines through ring A and the deriver, its 1 s
# bars (no quotes, no xbest) in $T/out without seqs, ring A's records in
# $T/in.jsonl
bars_1s() {
	feed_a
	"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
	    fail "shmreader: $(cat "$T/err")"
	"$BIN/deriver" --ring "$A" --out "$D" --no-follow --bar 1s \
	    --no-quotes --no-xbest 2>"$T/err" || fail "deriver: $(cat "$T/err")"
	derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
}

# same_as_ref: $T/out is what tests/deriver/ref.py derives of $T/in.jsonl
# with 1 s bars
same_as_ref() {
	/usr/bin/python3 "$TESTS/deriver/ref.py" --bar 1000 <"$T/in.jsonl" \
	    >"$T/ref" || fail "ref.py failed"
	cmp "$T/ref" "$T/out" >/dev/null ||
	    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4)"
}
