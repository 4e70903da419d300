#!/bin/sh
# t-deriver-book-levels-bound: a side of a book holds at most 200000
# levels (deriver(1)); the level past it makes the book invalid until its
# next snapshot, as a resync does, and a status resync of the venue and
# symbol says so: no quote, top or xbest from it meanwhile.  A hostile
# input of ever better bids, 10000 a delta, had no bound (memory never
# given back) and cost O(n) a level (20 such deltas: seconds; 40: 25 s).
# Here 20 deltas take the bids from 1 to 200001; the 21st delta is
# ignored and a snapshot makes the book valid again.  The output equals
# the model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

/usr/bin/python3 - >"$T/lines" <<'EOF'
def line(typ, ms, bids, asks):
    lv = lambda r: ",".join('["%d","1"]' % p for p in r)
    print('{"type":"%s","venue":"sim","symbol":"BTC-USD","ts":%d000000,'
          '"recv":%d000000,"bids":[%s],"asks":[%s]}'
          % (typ, ms, ms, lv(bids), lv(asks)))
line("book_snapshot", 1000, [1], [10**9])
for k in range(21):
    line("book_delta", 1001 + k, range(10001 + 10000 * k, 1 + 10000 * k, -1), [])
line("book_snapshot", 1100, [5], [10**9])
EOF
feed_a 65536
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --capacity 1024 --no-follow \
    --top 2:1000 --bar 1s --stale 0 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
grep -q '"ts":1020000000,"recv":1020000000,"status":"resync","reason":"deriver: book of more than 200000 levels a side: invalid until its next snapshot"' "$T/out" ||
    fail "no status of the 20th delta: $(grep -F '"status"' "$T/out")"
# the snapshot, then deltas 1 to 19 moved the best bid; the last snapshot
assert_eq "quotes" 21 "$(grep -c '"type":"quote"' "$T/out")"
grep '"type":"xbest"' "$T/out" |
    grep -q '"ts":1020000000,.*"excluded":\[{"venue":"sim","why":"resync"}\]' ||
    fail "xbest does not leave the book out: $(grep -F xbest "$T/out" | tail -n 2)"
grep -q '"type":"quote",.*"ts":1100000000,.*"bid":"5",' "$T/out" ||
    fail "the snapshot after it: $(tail -n 2 "$T/out")"
/usr/bin/python3 "$TESTS/deriver/ref.py" --top 2:1000 --bar 1000 --stale 0 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
cmp "$T/ref" "$T/out" >/dev/null ||
    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4 | cut -c 1-300)"
exit 0
