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
feed_a() {
	"$BIN/collector" --ring "$A" --capacity "${1:-64}" jsonl --strict \
	    <"$T/lines" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
}

derived() { "$BIN/shmreader" --ring "$D" --no-follow 2>/dev/null; }
