#!/bin/sh
# t-collector-jsonl-round-trip: collector sim -> ring A -> shmreader ->
# collector jsonl -> ring B -> shmreader gives the same JSONL, byte for
# byte, apart from the ring sequence numbers; and B's sequences are
# consecutive record numbers like A's.  `shmreader | collector jsonl`
# copies a ring.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
N=20000
case $BIN in *build-san) N=5000 ;; esac
A=$RING.a
B=$RING.b

"$BIN/collector" --ring "$A" --capacity 262144 sim --seed 7 --count "$N" \
    --rate max 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$A" --no-follow >"$T/a.jsonl" 2>"$T/err" ||
    fail "shmreader A: $(cat "$T/err")"
assert_eq "lines from A" "$N" "$(wc -l <"$T/a.jsonl" | tr -d ' ')"
! grep -q '"type":"gap"' "$T/a.jsonl" || fail "A lost records"
for t in trade book_snapshot book_delta status; do
	grep -q "^{\"type\":\"$t\"" "$T/a.jsonl" || fail "no $t in the sample"
done

"$BIN/collector" --ring "$B" --capacity 262144 jsonl --strict \
    <"$T/a.jsonl" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
"$BIN/shmreader" --ring "$B" --no-follow >"$T/b.jsonl" 2>"$T/err" ||
    fail "shmreader B: $(cat "$T/err")"

sed 's/,"seq":[0-9]*,/,/' "$T/a.jsonl" >"$T/a.noseq"
sed 's/,"seq":[0-9]*,/,/' "$T/b.jsonl" >"$T/b.noseq"
cmp "$T/a.noseq" "$T/b.noseq" ||
    fail "B differs from A: $(diff "$T/a.noseq" "$T/b.noseq" | head -n 4 | cut -c 1-200)"
# both rings number records the same way (books span several records):
# B's sequences are A's, line for line
cmp "$T/a.jsonl" "$T/b.jsonl" >/dev/null ||
    fail "B's sequences differ from A's: $(diff "$T/a.jsonl" "$T/b.jsonl" | head -n 4 | cut -c 1-200)"
note "$N messages, $(sed -n '$s/.*"seq":\([0-9]*\),.*/\1/p' "$T/a.jsonl") records"
exit 0
