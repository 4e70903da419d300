#!/bin/sh
# t-deriver-lines-round-trip: the derived lines (quote, book_top, bar,
# xbest) printed by shmreader read back through collector jsonl --strict
# into another ring and print the same, byte for byte but "seq"; and
# shmreader --type picks each of them; --out naming the input ring by its
# path is refused.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING.a" --capacity 65536 sim --seed 3 \
    --count 5000 --rate 5000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING.a" --out "$RING.d" --no-follow \
    --capacity 65536 --top 3:5 --top 12:50 --bar 10ms 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.d" --no-follow >"$T/d.jsonl" || fail "shmreader"
# a top of 12 levels a side spans several records
grep -q '"depth":12,.*\(\["[0-9.]*","[0-9.]*"\],\)\{11\}' "$T/d.jsonl" ||
    fail "no book_top of 12 levels"
grep -q '"type":"xbest"' "$T/d.jsonl" || fail "no xbest"
"$BIN/collector" --ring "$RING.e" --capacity 65536 jsonl --strict \
    <"$T/d.jsonl" 2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.e" --no-follow >"$T/e.jsonl" || fail "shmreader E"
sed 's/,"seq":[0-9]*,/,/' "$T/d.jsonl" >"$T/d.noseq"
sed 's/,"seq":[0-9]*,/,/' "$T/e.jsonl" >"$T/e.noseq"
cmp "$T/d.noseq" "$T/e.noseq" ||
    fail "E differs: $(diff "$T/d.noseq" "$T/e.noseq" | head -n 4 | cut -c 1-300)"
for t in quote book_top bar xbest; do
	"$BIN/shmreader" --ring "$RING.d" --no-follow --type "$t" >"$T/t.jsonl" ||
	    fail "shmreader --type $t"
	assert_eq "--type $t" "$(grep -c "^{\"type\":\"$t\"" "$T/d.jsonl")" \
	    "$(grep -c "^{\"type\":\"$t\"" "$T/t.jsonl")"
	assert_eq "--type $t: other types" 0 \
	    "$(grep -vc "^{\"type\":\"$t\"" "$T/t.jsonl")"
done

# --out naming the input ring by its path in /dev/shm is the ring read
# from too: refused before it is opened, the input left as it was
"$BIN/shmreader" --ring "$RING.a" --stat | grep -e '^epoch' -e '^seq' >"$T/st0"
"$BIN/deriver" --ring "$RING.a" --out "/dev/shm/tickpipe.$RING.a" \
    --no-follow 2>"$T/err"
assert_eq "--out the input's path: exit status" 64 "$?"
grep -q "the ring read from" "$T/err" || fail "--out the input's path: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.a" --stat | grep -e '^epoch' -e '^seq' >"$T/st1"
cmp -s "$T/st0" "$T/st1" ||
    fail "--out the input's path: the input changed: $(cat "$T/st0" "$T/st1")"
# the same with an input not made yet: the output made under the input's
# name was then opened as the input (it read its own records, and the
# input's real writer was locked out, exit 75); refused once the input
# opens, the output it made removed
timeout 10 "$BIN/deriver" --ring "$RING.late" \
    --out "/dev/shm/tickpipe.$RING.late" 2>"$T/err"
assert_eq "--out the path of an input not made yet: exit status" 64 "$?"
grep -q "the ring read from" "$T/err" ||
    fail "--out the path of an input not made yet: $(cat "$T/err")"
[ ! -e "/dev/shm/tickpipe.$RING.late" ] ||
    fail "--out the path of an input not made yet: the output left"

# a --capacity too small for a message of the deepest --top, or a
# publish, to be read whole: usage errors; before, a book_top of 200
# records went into a ring of 16 and lapped every reader
"$BIN/deriver" --ring "$RING.a" --out "$RING.small" --capacity 16 \
    --top 1000:1 --no-follow 2>"$T/err"
assert_eq "--capacity 16 --top 1000:1: exit status" 64 "$?"
grep -q "too small for --top depth 1000, a book_top of up to 200 records" \
    "$T/err" || fail "--capacity 16 --top 1000:1: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING.a" --out "$RING.small" --capacity 16 \
    --no-follow 2>"$T/err" || fail "--capacity 16: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING.a" --out "$RING.small" --top 1000:1 \
    --no-follow 2>"$T/err"
assert_eq "an output ring of 16, --top 1000:1: exit status" 64 "$?"
grep -q "capacity 16: too small for --top depth 1000" "$T/err" ||
    fail "an output ring of 16, --top 1000:1: $(cat "$T/err")"
# an output of another capacity: the advice is what the deriver takes
# (it said "or use --recreate", an option it does not have)
"$BIN/deriver" --ring "$RING.a" --out "$RING.small" --capacity 1024 \
    --no-follow 2>"$T/err"
assert_eq "an output ring of 16, --capacity 1024: exit status" 78 "$?"
assert_eq "an output ring of 16, --capacity 1024" \
    "deriver: ring $RING.small exists but is not compatible: capacity: expected 1024, found 16; remove it (shmreader --unlink)" \
    "$(cat "$T/err")"
exit 0
