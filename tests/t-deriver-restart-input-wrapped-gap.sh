#!/bin/sh
# t-deriver-restart-input-wrapped-gap: deriver(1) restarted --from
# oldest on its output ring when its input ring has wrapped past the
# src_seq of the output's last derived record (records received after
# it) continues the output ring with an input gap for the records after
# it that the input no longer holds: said on standard error and by a
# status resync of venue all (deriver(1), Restarts).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# derive N: the deriver, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$A" --out "$D" --no-follow --stale 0 \
	    2>"$T/derive.$1.err" || fail "deriver $1: $(cat "$T/derive.$1.err")"
}

# seqs 1 to 6: a snapshot and 5 deltas, each a quote
{
	book_line book_snapshot 100000 '[["10","1"]]' '[["11","1"]]'
	for i in 1 2 3 4 5; do
		book_line book_delta "$((100000 + i))" "[[\"10\",\"$((i + 1))\"]]" '[]'
	done
} >"$T/lines"
feed_a 16
derive 1
derived >"$T/first"
grep -q '"type":"quote".*"src_seq":6,' "$T/first" ||
    fail "no quote of seq 6: $(cat "$T/first")"
# seqs 7 to 36 later: the ring of 16 holds 21 (at 200014 ms) to 36
i=0
while [ "$i" -lt 30 ]; do
	book_line book_delta "$((200000 + i))" '[["10","9"]]' '[]'
	i=$((i + 1))
done >"$T/lines"
feed_a 16
derive 2
grep -q "^deriver: ring $D: continued after input seq 6, which ring $A no longer holds\$" \
    "$T/derive.2.err" || fail "not said: $(cat "$T/derive.2.err")"
grep -q '^deriver: input gap: 14 records lost from seq 7; ' \
    "$T/derive.2.err" || fail "no gap said: $(cat "$T/derive.2.err")"
derived >"$T/both"
sed 's/"seq":[0-9]*,//' "$T/both" >"$T/both.noseq"
sed 's/"seq":[0-9]*,//' "$T/first" >"$T/first.noseq"
head -n "$(wc -l <"$T/first")" "$T/both.noseq" | cmp - "$T/first.noseq" \
    >/dev/null || fail "the first run's lines changed: $(cat "$T/both")"
tail -n "+$(($(wc -l <"$T/first") + 1))" "$T/both" >"$T/after"
grep -q '"type":"status","venue":"all",.*"ts":200014000000,.*"status":"resync","reason":"deriver: input gap, 14 records lost from seq 7: ' \
    "$T/after" || fail "no gap status after the first run's: $(cat "$T/both")"
exit 0
