#!/bin/sh
# t-collector-sim-venues: `collector sim --venues sim,sim2,sim3` plays three
# venues quoting the same symbols.  Every venue has a book and trades for
# every symbol; each venue's book is never locked or crossed and each
# trade is at its venue's best price; across venues the best bid rises
# above another venue's best ask (a crossed market) within the first
# 60000 messages with the default parameters; the same seed gives the
# same data (timestamps aside), another seed other data; a bad --venues
# list is a usage error (64).
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
N=60000

# sim SEED NAME: N messages of three venues into ring $RING.NAME, as JSONL
# in $T/NAME.jsonl
sim() {
	"$BIN/collector" --ring "$RING.$2" --capacity 262144 sim \
	    --venues sim,sim2,sim3 --seed "$1" --count "$N" --rate max \
	    --snapshot-interval 0 2>"$T/err" ||
		fail "collector sim --seed $1: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.$2" --no-follow >"$T/$2.jsonl" \
	    2>"$T/err" || fail "shmreader: $(cat "$T/err")"
	! grep -q '"type":"gap"' "$T/$2.jsonl" || fail "records lost in $2"
}

"$BIN/collector" --ring "$RING.d" --capacity 262144 sim \
    --venues sim,sim2,sim3 --count "$N" --rate max 2>"$T/err" ||
	fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.d" --no-follow >"$T/d.jsonl" 2>"$T/err" ||
	fail "shmreader: $(cat "$T/err")"
assert_eq "lines" "$N" "$(wc -l <"$T/d.jsonl" | tr -d ' ')"

cat >"$T/check.py" <<'PY'
import json, sys
from decimal import Decimal

books, trades, status = {}, set(), set()
crossed, first = 0, None
for n, line in enumerate(open(sys.argv[1]), 1):
    m = json.loads(line)
    t = m["type"]
    if t == "status":
        status.add(m["venue"])
        continue
    v, s = m["venue"], m["symbol"]
    b = books.setdefault((v, s), {"bids": {}, "asks": {}})
    if t == "trade":
        trades.add((v, s))
        side = b["asks"] if m["side"] == "buy" else b["bids"]
        top = (min if m["side"] == "buy" else max)(side) if side else None
        if Decimal(m["price"]) != top:
            sys.exit("line %d: %s trade at %s, best %s" % (n, v, m["price"], top))
        continue
    if t == "book_snapshot":
        b["bids"], b["asks"] = {}, {}
    for k in ("bids", "asks"):
        for p, q in m.get(k, []):
            if Decimal(q) == 0:
                b[k].pop(Decimal(p), None)
            else:
                b[k][Decimal(p)] = q
    if b["bids"] and b["asks"] and max(b["bids"]) >= min(b["asks"]):
        sys.exit("line %d: %s %s book locked or crossed: %s >= %s" %
                 (n, v, s, max(b["bids"]), min(b["asks"])))
    tops = [(vv, max(bb["bids"]), min(bb["asks"]))
            for (vv, ss), bb in books.items() if ss == s and bb["bids"] and bb["asks"]]
    if any(bid > ask for va, bid, _ in tops for vb, _, ask in tops if va != vb):
        crossed += 1
        first = first or n
want_v = {"sim", "sim2", "sim3"}
want = {(v, s) for v in want_v for s in ("BTC-USD", "ETH-USD", "SOL-USD")}
if status != want_v:
    sys.exit("status records for %s, want %s" % (sorted(status), sorted(want_v)))
if set(books) != want or trades != want:
    sys.exit("books of %s, trades of %s, want each of %s" %
             (sorted(books), sorted(trades), sorted(want)))
if not crossed:
    sys.exit("no crossed market across venues in %d messages" % n)
print("crossed across venues after %d of %d messages, %d in all" % (first, n, crossed))
PY
/usr/bin/python3 "$T/check.py" "$T/d.jsonl" >"$T/check" 2>&1 ||
	fail "$(cat "$T/check")"
note "$(cat "$T/check")"

sim 5 a
sim 5 b
sim 6 c
for f in a b c; do
	sed 's/"ts":[0-9]*,"recv":[0-9]*,//' "$T/$f.jsonl" >"$T/$f.nots"
done
cmp -s "$T/a.nots" "$T/b.nots" ||
	fail "seed 5 twice differs: $(diff "$T/a.nots" "$T/b.nots" | head -n 3 | cut -c 1-200)"
! cmp -s "$T/a.nots" "$T/c.nots" || fail "seeds 5 and 6 gave the same data"

for bad in sim,sim coinbase sim,,sim2 '' simX; do
	"$BIN/collector" --ring "$RING.bad" sim --venues "$bad" --count 1 \
	    2>"$T/err"
	assert_eq "exit status of --venues '$bad'" 64 "$?"
	grep -q -- '--venues' "$T/err" || fail "--venues '$bad': $(cat "$T/err")"
done
[ ! -e "/dev/shm/tickpipe.$RING.bad" ] || fail "a bad --venues made a ring"
exit 0
