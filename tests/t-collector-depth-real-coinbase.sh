#!/bin/sh
# The --depth window on real traffic: a recorded Coinbase Advanced Trade
# connection (tests/fixtures/venues/coinbase_advtrade_20260809.jsonl.xz,
# from bmoscon/cryptofeed sample_data, commit 57d5f18d), whose BTC-USD
# snapshot is one 5 MB frame of 18,764 bids and 27,236 asks, served by
# the mock exchange frame for frame.  After every l2_data frame the book a
# reader builds from the ring must be, text for text, the top N levels a
# side of the book rebuilt here from the same frames (N = 1000, the
# default, then 5000, the most); each snapshot deeper than N is said once
# in a status info record and counted.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

CAPTURE="$TESTS/fixtures/venues/coinbase_advtrade_20260809.jsonl.xz"

# The mock script: every frame the venue sent, as recorded, then a trade
# marking the end.  The frames alone go to $T/frames.
$PY - "$CAPTURE" "$T/script" "$T/frames" <<'EOF' || fail "capture unreadable"
import json, lzma, sys
cap, script, frames = sys.argv[1:]
with lzma.open(cap, "rt", encoding="utf-8") as f, \
        open(script, "w") as s, open(frames, "w") as fr:
    s.write("conn\nexpect 3\n")
    last = None
    for line in f:
        o = json.loads(line)
        if o["t"] != "recv":
            continue
        s.write("send %s\n" % o["text"])
        fr.write(o["text"] + "\n")
        last = json.loads(o["text"])["sequence_num"]
    s.write('send {"channel":"market_trades","timestamp":'
            '"2026-08-09T21:10:00Z","sequence_num":%d,"events":[{"type":'
            '"update","trades":[{"product_id":"BTC-USD","trade_id":"end",'
            '"price":"1","size":"1","side":"BUY","time":'
            '"2026-08-09T21:10:00Z"}]}]}\n' % (last + 1))
EOF

# check N: the ring against the frames, after every l2_data frame.
check() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow >"$T/ring" ||
	    fail "shmreader"
	$PY - "$1" "$T/frames" "$T/ring" <<'EOF'
import bisect, json, sys
from decimal import Decimal
n = int(sys.argv[1])
frames, ring = sys.argv[2], sys.argv[3]


class Side:
    """One side of a book: price -> [price text, qty text], and the prices
    in a list sorted best first (bids negated)."""

    def __init__(self, ask):
        self.ask, self.lv, self.keys = ask, {}, []

    def set(self, p, q):
        d = Decimal(p)
        k = d if self.ask else -d
        if Decimal(q) == 0:
            if d in self.lv:
                del self.lv[d]
                self.keys.pop(bisect.bisect_left(self.keys, k))
        else:
            if d not in self.lv:
                bisect.insort(self.keys, k)
            self.lv[d] = [p, q]
        return d

    def top(self):
        return {(k if self.ask else -k): self.lv[k if self.ask else -k]
                for k in self.keys[:n]}


# venue[pid][ask]: the venue's book rebuilt from the frames; reader[pid]
# [ask]: the book a reader builds from the ring.  The reader's side equals
# the top n of the venue's iff it has min(n, venue levels) levels, each
# equal to the venue's (wrong holds those that are not) and none worse
# than the venue's n-th: checked after every frame on what it touched.
venue, reader, wrong = {}, {}, {}
msgs = [json.loads(line) for line in open(ring)]
books = [m for m in msgs if m["type"].startswith("book_")]
at = checked = 0
deeper = []


def verify(seq, pid, ask, touched, full):
    v, r, bad = venue[pid][ask], reader[pid][ask], wrong[pid][ask]
    for d in (r.lv if full else touched):
        if d in r.lv and r.lv[d] != v.lv.get(d):
            bad.add(d)
        else:
            bad.discard(d)
    side = "asks" if ask else "bids"
    if bad:
        d = min(bad, key=lambda x: x if ask else -x)
        sys.exit("after frame %d: %s %s: ring has %s, venue %s" %
                 (seq, pid, side, r.lv[d], v.lv.get(d)))
    if len(r.keys) != min(n, len(v.keys)):
        sys.exit("after frame %d: %s %s: ring has %d levels, venue %d" %
                 (seq, pid, side, len(r.keys), len(v.keys)))
    if r.keys and r.keys[-1] > v.keys[len(r.keys) - 1]:
        sys.exit("after frame %d: %s %s: ring has %s beyond the top %d" %
                 (seq, pid, side, r.keys[-1], n))
    if full and r.top() != v.top():
        sys.exit("after frame %d: %s %s differ" % (seq, pid, side))


for line in open(frames):
    m = json.loads(line)
    if m["channel"] != "l2_data":
        continue
    seq = m["sequence_num"]
    touched, snap = {}, set()
    for ev in m["events"]:
        pid = ev["product_id"]
        if ev["type"] == "snapshot":
            venue[pid] = [Side(0), Side(1)]
            snap.add(pid)
        t = touched.setdefault(pid, [set(), set()])
        for u in ev["updates"]:
            ask = u["side"] != "bid"
            t[ask].add(venue[pid][ask].set(u["price_level"],
                                           u["new_quantity"]))
        if ev["type"] == "snapshot":
            nb, na = len(venue[pid][0].lv), len(venue[pid][1].lv)
            if nb > n or na > n:
                deeper.append((pid, "book deeper than --depth %d: %d bids, "
                               "%d asks; publishing the top %d"
                               % (n, nb, na, n)))
    # what the collector published for this frame, as a reader applies it
    while at < len(books) and books[at]["vseq"] <= seq:
        b = books[at]
        at += 1
        pid = b["symbol"]
        if b["type"] == "book_snapshot":
            reader[pid] = [Side(0), Side(1)]
            wrong[pid] = [set(), set()]
            snap.add(pid)
        t = touched.setdefault(pid, [set(), set()])
        for ask, key in ((0, "bids"), (1, "asks")):
            for p, q in b[key]:
                t[ask].add(reader[pid][ask].set(p, q))
    for pid in touched:
        if pid not in reader:
            sys.exit("after frame %d: no snapshot of %s" % (seq, pid))
        for ask in (0, 1):
            verify(seq, pid, ask, touched[pid][ask], pid in snap)
    checked += 1
for pid in venue:
    for ask in (0, 1):
        verify(seq, pid, ask, (), True)
if at != len(books):
    sys.exit("%d book messages after the last frame" % (len(books) - at))
info = [(m["symbol"], m["reason"]) for m in msgs
        if m["type"] == "status" and m["status"] == "info"]
if info != deeper:
    sys.exit("status info records %s, want %s" % (info, deeper))
bad = [m for m in msgs if m["type"] == "status" and m["status"] == "resync"]
if bad:
    sys.exit("resync: %s" % bad[0])
print("%d frames, %d book messages, at most %d levels a side; %s" %
      (checked, len(books), max(len(b["bids"]) for b in books),
       "; ".join("%s: %s" % i for i in info)))
EOF
}

# ring_grep PATTERN: the ring, as shmreader prints it, has PATTERN.
ring_grep() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow | grep -q "$1"
}

# run N [ARGS]: serves the capture to a collector with ARGS and checks.
run() {
	_n=$1
	shift
	mock_start "$T/script"
	collector_start -v "$@" --url "coinbase=wss://127.0.0.1:$MOCK_PORT" \
	    coinbase:BTC-USD,ETH-USD
	wait_for 30 ring_grep '"tid":"end"' || fail "depth $_n: capture not through"
	collector_stop
	_out=$(check "$_n" 2>&1) || fail "depth $_n: $_out"
	note "depth $_n: $_out"
	grep -q 'counters: .* truncated 2 ' "$T/collector.err" ||
	    fail "depth $_n: counters: $(grep 'counters:' "$T/collector.err")"
	grep -q 'malformed 0 ' "$T/collector.err" ||
	    fail "depth $_n: $(grep 'coinbase: msgs' "$T/collector.err")"
}

run 1000
rm -f /dev/shm/tickpipe."$RING"
run 5000 --depth 5000
