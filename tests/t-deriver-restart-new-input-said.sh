#!/bin/sh
# t-deriver-restart-new-input-said: deriver(1) restarted --from oldest
# on an output ring whose last derived record's src_seq is another
# record in its input ring (other times: the input ring was made anew
# with other records) derives all of the new ring and publishes it, and
# says so (deriver(1), Restarts): the output ring holds the derivation
# of the first ring, then that of the second.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# book SEC: a sim BTC-USD snapshot at SEC s, then 3 deltas
book() {
	ms=$(($1 * 1000))
	book_line book_snapshot "$ms" '[["10","1"]]' '[["11","1"]]'
	for i in 1 2 3; do
		book_line book_delta "$((ms + i))" "[[\"10\",\"$((i + 1))\"]]" '[]'
	done
}
# derive N: the deriver, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$A" --out "$D" --no-follow --stale 0 \
	    2>"$T/derive.$1.err" || fail "deriver $1: $(cat "$T/derive.$1.err")"
}

book 100 >"$T/lines"
feed_a
derive 1
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/first"
grep -q '"type":"quote"' "$T/first" || fail "no quote: $(cat "$T/first")"
"$BIN/shmreader" --ring "$A" --unlink || fail "could not remove ring A"
book 200 >"$T/lines"
feed_a
derive 2
grep -q "^deriver: ring $D: input seq [0-9]* of its last derived record is not the same record in ring $A (a new ring?): derived from its oldest again\$" \
    "$T/derive.2.err" || fail "not said: $(cat "$T/derive.2.err")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/both"
"$BIN/shmreader" --ring "$D" --unlink || fail "could not remove ring D"
derive 3
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/second"
cat "$T/first" "$T/second" | cmp - "$T/both" >/dev/null ||
    fail "not both derivations: $(cat "$T/both")"
exit 0
