#!/bin/sh
# t-collector-sim-book: the default simulator's books stay sane for as
# long as it runs: over 900000 messages (SOL-USD's vseq passes 240000)
# every book message of a symbol carries the next vseq and lists each
# side best first, each price once (tickpipe-json(5)), no book locks or
# crosses, each side keeps its 60 levels, the spread stays within ten
# level spacings and the mid within 20 % of where it started.  (Before
# the walk's requote, holes behind each walk grew into a gap of thousands
# of ticks, the mid jumped across it, SOL-USD's bid reached 0.01 at vseq
# 232209 and from there failed walks skipped a vseq, which
# t-chaos-pipeline's clients saw as books gone wrong without notice.)
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
N=900000

"$BIN/collector" --ring "$RING" --capacity 1048576 sim --count "$N" \
    --rate max --snapshot-interval 0 2>"$T/err" ||
	fail "collector sim: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/d.jsonl" 2>"$T/err" ||
	fail "shmreader: $(cat "$T/err")"
assert_eq "lines" "$N" "$(wc -l <"$T/d.jsonl" | tr -d ' ')"

cat >"$T/check.py" <<'PY'
import json, sys

# collector(1): the simulator's symbols, their start and level spacing
SPACING = {"BTC-USD": 0.10, "ETH-USD": 0.02, "SOL-USD": 0.01}
books, vseq, start, worst = {}, {}, {}, {}
for n, line in enumerate(open(sys.argv[1]), 1):
    m = json.loads(line)
    t = m["type"]
    if t not in ("book_snapshot", "book_delta"):
        continue
    s = m["symbol"]
    if t == "book_snapshot":
        books[s] = ({}, {})
    elif m["vseq"] != vseq[s] + 1:
        sys.exit("line %d: %s delta vseq %d after %d" % (n, s, m["vseq"], vseq[s]))
    vseq[s] = m["vseq"]
    for key, best_first in (("bids", -1), ("asks", 1)):
        ps = [best_first * float(p) for p, q in m.get(key, [])]
        if any(a >= b for a, b in zip(ps, ps[1:])):
            sys.exit("line %d: %s %s not best first, each price once: %s"
                     % (n, s, key, m[key][:8]))
    for side, key in zip(books[s], ("bids", "asks")):
        for p, q in m.get(key, []):
            if float(q) == 0:
                side.pop(p, None)
            else:
                side[p] = q
    bids, asks = books[s]
    if len(bids) != 60 or len(asks) != 60:
        sys.exit("line %d: %s has %d bids and %d asks" % (n, s, len(bids), len(asks)))
    bid, ask = max(map(float, bids)), min(map(float, asks))
    if bid >= ask:
        sys.exit("line %d: %s locked or crossed: %s >= %s" % (n, s, bid, ask))
    if ask - bid > 10 * SPACING[s] + 1e-9:
        sys.exit("line %d: %s spread %.2f, more than ten spacings" % (n, s, ask - bid))
    mid = (bid + ask) / 2
    start.setdefault(s, mid)
    if abs(mid / start[s] - 1) > 0.2:
        sys.exit("line %d: %s mid %.2f, started at %.2f" % (n, s, mid, start[s]))
    worst[s] = max(worst.get(s, 0), ask - bid)
if sorted(books) != sorted(SPACING):
    sys.exit("books of %s" % sorted(books))
print("; ".join("%s vseq %d, widest spread %.2f" % (s, vseq[s], worst[s])
                for s in sorted(books)))
PY
/usr/bin/python3 "$T/check.py" "$T/d.jsonl" >"$T/check" 2>&1 ||
	fail "$(cat "$T/check")"
note "$(cat "$T/check")"
