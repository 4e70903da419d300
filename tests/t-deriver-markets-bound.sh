#!/bin/sh
# t-deriver-markets-bound: deriver(1) derives at most 16384 markets
# (venue and symbol pairs); the records of a new one past that are
# skipped, counted, and said by a status info at most once a minute of
# receive time.  Markets were never given back: 35152 pairs took 200 MB.
# Here 16384 symbols trade at 1 s; X1 at 2 s is said, X2 at 30 s is not,
# X1 at 62 s is again (3 records skipped); a market already derived
# goes on (S5's bar of [1 s, 2 s) is written at 63 s).  The output
# equals the model's (tests/deriver/ref.py).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

/usr/bin/python3 - >"$T/lines" <<'EOF'
def trade(sym, s):
    print('{"type":"trade","venue":"sim","symbol":"%s","ts":%d000000000,'
          '"recv":%d000000000,"price":"1","qty":"1","side":"buy",'
          '"tid":"x"}' % (sym, s, s))
for k in range(16384):
    trade("S%d-USD" % k, 1)
for sym, s in (("X1-USD", 2), ("X2-USD", 30), ("X1-USD", 62), ("S5-USD", 63)):
    trade(sym, s)
EOF
feed_a 32768
"$BIN/shmreader" --ring "$A" --no-follow >"$T/in.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
"$BIN/deriver" --ring "$A" --out "$D" --no-follow --bar 1s 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
derived | sed 's/,"seq":[0-9]*,/,/' >"$T/out"
said='"status":"info","reason":"deriver: more than 16384 markets (venue and symbol): new ones not derived'
assert_eq "statuses" 2 "$(grep -c '"type":"status"' "$T/out")"
grep -q "\"symbol\":\"X1-USD\",\"vseq\":0,\"ts\":2000000000,.*$said, 1 records of them skipped so far\"" "$T/out" ||
    fail "X1 at 2 s not said: $(grep -F '"status"' "$T/out")"
grep -q "\"symbol\":\"X1-USD\",\"vseq\":0,\"ts\":62000000000,.*$said, 3 records of them skipped so far\"" "$T/out" ||
    fail "X1 at 62 s not said: $(grep -F '"status"' "$T/out")"
! grep -q -e '"symbol":"X[12]-USD","src_seq"' "$T/out" ||
    fail "X1 or X2 derived: $(grep -F '"symbol":"X' "$T/out" | head -n 2)"
grep -q '"type":"bar","venue":"sim","symbol":"S5-USD",.*"ts":63000000000,.*"start":1000000000,.*"trades":1,' "$T/out" ||
    fail "no bar of S5: $(tail -n 2 "$T/out")"
/usr/bin/python3 "$TESTS/deriver/ref.py" --top 20:100 --bar 1000 \
    <"$T/in.jsonl" >"$T/ref" || fail "ref.py failed"
cmp "$T/ref" "$T/out" >/dev/null ||
    fail "differs from the model: $(diff "$T/ref" "$T/out" | head -n 4)"
exit 0
