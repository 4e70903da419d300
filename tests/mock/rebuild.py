#!/usr/bin/python3
"""rebuild.py: rebuilds books and trades from a recorded venue capture and
checks a ring's JSONL against them.

Independent of the collector: the books are rebuilt from the capture's
frames (and REST bodies) by each venue's documented procedure, and the
result is normalized as tickpipe-json(5) prints it (prices and quantities
the exact text the venue sent, symbols BASE-QUOTE, the taker's side).

  rebuild.py --venue V --capture FILE --symbols LIST [--depth N] RING.jsonl

RING.jsonl is what `shmreader --from oldest --no-follow` printed.  With
--depth N the ring's book must equal the venue's top N levels a side (the
declared depth window of collector(1)); without it, the whole book.

Checked, per symbol: after every ring book message, the book a reader
builds from the ring equals the rebuilt one after the venue message of the
same vseq (every level's price and quantity text); the ring's final book
equals the rebuilt final book; ring book messages all align with a venue
message, in order.  Trades: the ring's trades are the rebuilt ones, in
order, with the same price, qty, side, tid, vseq and ts.

Venues:
  binance   REST snapshot (lastUpdateId) joined with depthUpdate U/u
            events: drop u <= lastUpdateId, the first kept spans
            lastUpdateId + 1, then each U = previous u + 1; trades from
            <sym>@trade, m true = the buyer made: the taker sold.  A
            snapshot side that filled the URL's limit is known only down
            to its worst price (its horizon): with --depth N the rebuild
            stops if fewer than N levels of a side are within it, since
            the venue's top N is then not known.
  bybit     orderbook.D.SYM snapshot/delta by u (a snapshot or u = 1
            replaces the book, u not above the book's is a duplicate);
            publicTrade S is the taker side.
  coinbase  Advanced Trade l2_data snapshot/update (new_quantity is the
            level's total, "0" removes it; side bid/offer); market_trades
            updates (the snapshot of recent trades is skipped), each
            event's trades oldest first (by time, then trade id: the
            venue lists them newest first), whose side is the MAKER's,
            so the taker's is the opposite.
  kraken    v2 book snapshot/update, each message's levels applied, then
            the book cut to the subscribed depth (--depth), then the
            message's checksum verified: CRC32 of the top 10 asks and the
            top 10 bids, each price and qty text without its point and
            leading zeros.  The venue numbers no messages: ring messages
            align by "ts", the message's timestamp.

Prints one summary line; mismatches go to stderr; exit 1 on any.
"""
import argparse
import bisect
import calendar
import json
import lzma
import sys
import time
import urllib.parse
import zlib
from decimal import Decimal

MAX_REPORTS = 5     # lines on stderr per kind of mismatch


class Side:
    """One side of a book: price -> [price text, qty text], kept sorted."""

    def __init__(self, descending):
        self.desc = descending
        self.lv = {}
        self.keys = []

    def clear(self):
        self.lv = {}
        self.keys = []

    def set(self, p, q):
        k = Decimal(p)
        if Decimal(q) == 0:
            if self.lv.pop(k, None) is not None:
                del self.keys[bisect.bisect_left(self.keys, k)]
            return
        if k not in self.lv:
            bisect.insort(self.keys, k)
        self.lv[k] = [p, q]

    def cut(self, n):
        """Keeps the best n levels."""
        worse = self.keys[:-n] if self.desc else self.keys[n:]
        for k in worse:
            del self.lv[k]
        self.keys = self.keys[-n:] if self.desc else self.keys[:n]

    def within(self, h):
        """How many levels are at or better than price h."""
        if self.desc:
            return len(self.keys) - bisect.bisect_left(self.keys, h)
        return bisect.bisect_right(self.keys, h)

    def top(self, n=None):
        """The best n levels (all without n), best first."""
        if self.desc:
            ks = self.keys[::-1] if n is None else self.keys[:-n - 1:-1]
        else:
            ks = self.keys if n is None else self.keys[:n]
        return [self.lv[k] for k in ks]

    def __len__(self):
        return len(self.keys)


class Book:
    def __init__(self):
        self.bids = Side(True)
        self.asks = Side(False)

    def clear(self):
        self.bids.clear()
        self.asks.clear()

    def apply(self, bids, asks):
        """Sets each [price, qty] level in turn; qty 0 removes it."""
        for p, q in bids:
            self.bids.set(p, q)
        for p, q in asks:
            self.asks.set(p, q)

    def view(self, n=None):
        return (self.bids.top(n), self.asks.top(n))


def kraken_crc(book):
    def f(t):
        return t.replace(".", "").lstrip("0")
    bids, asks = book.view(10)
    s = "".join(f(p) + f(q) for p, q in asks + bids)
    return zlib.crc32(s.encode()) & 0xFFFFFFFF


def rfc3339_ns(s):
    """'2026-08-09T21:05:42.514318Z' -> nanoseconds since the Epoch."""
    s = s.rstrip("Z")
    whole, _, frac = s.partition(".")
    secs = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return secs * 10**9 + int((frac + "000000000")[:9])


def records(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def frames(recs, numbers_as_text=False):
    """The venue's frames, parsed; numbers_as_text keeps the exact text of
    every JSON number (Kraken v2 sends prices as numbers)."""
    conv = str if numbers_as_text else None
    for r in recs:
        if r.get("t") == "recv":
            yield json.loads(r["text"], parse_float=conv, parse_int=conv)


class Capture:
    """Rebuilt state, per symbol (BASE-QUOTE): books and the trade list.

    A venue's rebuild is a generator that applies one venue message at a
    time and yields ("book", symbol, vseq) after each message that changed
    a book; trades are appended to self.trades as ring-shaped dicts.
    """

    def __init__(self, venue, recs, symbols, depth):
        self.venue = venue
        self.recs = recs
        self.depth = depth
        self.key = "ts" if venue == "kraken" else "vseq"
        self.checksums = 0
        self.native = {}
        sep = {"binance": "", "bybit": "", "coinbase": "-",
               "kraken": "/"}[venue]
        for sym in symbols:
            self.native[sym.replace("-", sep)] = sym
        self.books = {sym: Book() for sym in symbols}
        self.trades = []
        self.notes = []
        self.synced = set()

    def trade(self, sym, vseq, ts, price, qty, side, tid):
        self.place(sym, price, side)
        self.trades.append({"symbol": sym, "vseq": vseq, "ts": ts,
                            "price": price, "qty": qty, "side": side,
                            "tid": tid})

    def binance(self):
        snaps, limits = {}, {}
        for r in self.recs:
            if r.get("t") == "rest":
                body = json.loads(r["text"])
                snaps.setdefault(r["symbol"], body)
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(
                    r["url"]).query)
                limits.setdefault(r["symbol"], int(q["limit"][0]))
        last = {}       # symbol -> book update id, once synced
        horizon = {}    # symbol -> per side, the horizon price or None
        for m in frames(self.recs):
            stream, ev = m.get("stream", ""), m.get("data", m)
            sym = self.native.get(ev.get("s"))
            if sym is None:
                continue
            if stream.endswith("@trade") and ev.get("e") == "trade":
                self.trade(sym, ev["t"], ev["T"] * 10**6, ev["p"], ev["q"],
                           "sell" if ev["m"] else "buy", str(ev["t"]))
                continue
            if not (stream.endswith("@depth@100ms") and
                    ev.get("e") == "depthUpdate"):
                continue
            U, u = ev["U"], ev["u"]
            book = self.books[sym]
            if sym not in last:
                snap = snaps[ev["s"]]
                L = snap["lastUpdateId"]
                if L < U:
                    raise SystemExit("rebuild: %s: snapshot %d older than "
                                     "first update %d" % (sym, L, U))
                book.clear()
                book.apply(snap["bids"], snap["asks"])
                horizon[sym] = [Decimal(lv[-1][0])
                                if len(lv) >= limits[ev["s"]] else None
                                for lv in (snap["bids"], snap["asks"])]
                last[sym] = L
                self.known(sym, horizon[sym])
                yield ("book", sym, L)
                if u <= L:
                    continue
                if not U <= L + 1 <= u:
                    raise SystemExit("rebuild: %s: first update %d-%d does "
                                     "not span %d" % (sym, U, u, L + 1))
            elif u <= last[sym]:
                continue
            elif U > last[sym] + 1:
                raise SystemExit("rebuild: %s: update id gap %d -> %d"
                                 % (sym, last[sym], U))
            book.apply(ev["b"], ev["a"])
            last[sym] = u
            self.known(sym, horizon[sym])
            yield ("book", sym, u)

    def known(self, sym, horizon):
        """Stops unless the top --depth levels of sym (without --depth,
        the whole book) are within the horizon of each side (None: the
        whole side is known)."""
        book = self.books[sym]
        for name, side, h in (("bids", book.bids, horizon[0]),
                              ("asks", book.asks, horizon[1])):
            if h is None:
                continue
            n = side.within(h)
            if self.depth is None or n < self.depth:
                raise SystemExit("rebuild: %s: only %d %s known within the "
                                 "REST snapshot's horizon, not the venue's "
                                 "top %s" % (sym, n, name, self.depth or
                                             "(no --depth: the whole book)"))

    def bybit(self):
        last = {}
        for m in frames(self.recs):
            topic = m.get("topic", "")
            kind, _, native = topic.rpartition(".")
            sym = self.native.get(native)
            if sym is None:
                continue
            if kind == "publicTrade":
                for t in m["data"]:
                    self.trade(sym, t["seq"], t["T"] * 10**6, t["p"],
                               t["v"], t["S"].lower(), t["i"])
                continue
            if not kind.startswith("orderbook."):
                continue
            d = m["data"]
            u = d["u"]
            book = self.books[sym]
            if m["type"] == "snapshot" or u == 1:
                book.clear()
            elif sym not in last or u <= last[sym]:
                continue
            elif u != last[sym] + 1:
                raise SystemExit("rebuild: %s: u gap %d -> %d"
                                 % (sym, last[sym], u))
            book.apply(d["b"], d["a"])
            last[sym] = u
            yield ("book", sym, u)

    def entry(self, native, snapshot):
        """(symbol, book) a book message for venue symbol native applies to,
        the book cleared if snapshot; (None, None) for a symbol not asked
        for, or one without a snapshot yet."""
        sym = self.native.get(native)
        if sym is None or not (snapshot or sym in self.synced):
            return None, None
        if snapshot:
            self.books[sym].clear()
            self.synced.add(sym)
        return sym, self.books[sym]

    def coinbase(self):
        for m in frames(self.recs):
            ch, seq = m.get("channel"), m.get("sequence_num")
            if ch == "market_trades":
                for ev in m["events"]:
                    if ev["type"] == "snapshot":
                        continue
                    # published oldest first: the venue lists them
                    # newest first; a trade id grows with time
                    for t in sorted(ev["trades"], key=lambda t: (
                            rfc3339_ns(t["time"]), int(t["trade_id"]))):
                        sym = self.native.get(t["product_id"])
                        if sym is None:
                            continue
                        maker = t["side"].lower()
                        taker = {"buy": "sell", "sell": "buy"}[maker]
                        self.trade(sym, seq, rfc3339_ns(t["time"]),
                                   t["price"], t["size"], taker,
                                   t["trade_id"])
                continue
            if ch != "l2_data":
                continue
            for ev in m["events"]:
                sym, book = self.entry(ev["product_id"],
                                       ev["type"] == "snapshot")
                if book is None:
                    continue
                for lv in ev["updates"]:
                    side = book.bids if lv["side"] == "bid" else book.asks
                    side.set(lv["price_level"], lv["new_quantity"])
                yield ("book", sym, seq)

    def kraken(self):
        for m in frames(self.recs, numbers_as_text=True):
            if m.get("channel") != "book":
                continue
            for d in m["data"]:
                sym, book = self.entry(d["symbol"], m["type"] == "snapshot")
                if book is None:
                    continue
                for side, lv in ((book.bids, d["bids"]),
                                 (book.asks, d["asks"])):
                    for x in lv:
                        side.set(x["price"], x["qty"])
                    side.cut(self.depth)
                self.checksums += 1
                if kraken_crc(book) != int(d["checksum"]):
                    raise SystemExit("rebuild: %s: the venue's checksum %s "
                                     "does not match the rebuilt book at %s"
                                     % (sym, d["checksum"], d["timestamp"]))
                yield ("book", sym, rfc3339_ns(d["timestamp"]))

    def place(self, sym, price, taker):
        """Counts a trade that prints at or through the best ask (a taker
        buy) or the best bid (a taker sell), and whether the side the
        venue's rule gives agrees: the capture's own evidence for it."""
        book = self.books[sym]
        if not book.bids or not book.asks:
            return
        p = Decimal(price)
        bid, ask = book.bids.keys[-1], book.asks.keys[0]
        at = "buy" if p >= ask else "sell" if p <= bid else None
        if at is not None:
            self.notes.append(at == taker)

    def rebuild(self):
        return getattr(self, self.venue)()


def ring_messages(path, venue):
    """The ring's book messages per symbol, its trades, its status lines."""
    books, trades, status = {}, [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o.get("venue") != venue:
                continue
            if o["type"] in ("book_snapshot", "book_delta"):
                books.setdefault(o["symbol"], []).append(o)
            elif o["type"] == "trade":
                trades.append(o)
            elif o["type"] == "status":
                status.append(o)
    return books, trades, status


class Checker:
    def __init__(self, depth):
        self.depth = depth
        self.errors = 0
        self.kinds = {}
        self.checkpoints = 0
        self.levels = 0

    def bad(self, kind, text):
        self.errors += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if self.kinds[kind] <= MAX_REPORTS:
            print("rebuild: " + text, file=sys.stderr)

    def compare(self, where, want, got):
        """want, got: (bids, asks) lists of [price, qty], best first."""
        self.checkpoints += 1
        for name, w, g in (("bids", want[0], got[0]),
                           ("asks", want[1], got[1])):
            self.levels += len(w)
            if w == g:
                continue
            i = next((i for i in range(min(len(w), len(g)))
                      if w[i] != g[i]), min(len(w), len(g)))
            self.bad("book", "%s: %s differ at level %d of %d (ring has %d): "
                     "venue %s, ring %s" % (where, name, i, len(w), len(g),
                                            w[i] if i < len(w) else None,
                                            g[i] if i < len(g) else None))
            return


def ring_apply(book, o):
    if o["type"] == "book_snapshot":
        book.clear()
    book.apply(o["bids"], o["asks"])


def check_books(cap, ring_books, symbols, ck):
    """Walks the rebuild and the ring's book messages side by side: a ring
    message belongs after the venue message of the same key (cap.key)."""
    ring_book = {sym: Book() for sym in symbols}
    pos = {sym: 0 for sym in symbols}
    for _, sym, key in cap.rebuild():
        msgs, i = ring_books.get(sym, []), pos[sym]
        if i < len(msgs) and msgs[i][cap.key] < key:
            ck.bad("order", "%s: ring message %s %d matches no venue "
                   "message (next venue %s %d)"
                   % (sym, cap.key, msgs[i][cap.key], cap.key, key))
        while i < len(msgs) and msgs[i][cap.key] < key:
            ring_apply(ring_book[sym], msgs[i])
            i += 1
        if i < len(msgs) and msgs[i][cap.key] == key:
            while i < len(msgs) and msgs[i][cap.key] == key:
                ring_apply(ring_book[sym], msgs[i])
                i += 1
            ck.compare("%s after %s %d" % (sym, cap.key, key),
                       cap.books[sym].view(ck.depth), ring_book[sym].view())
        pos[sym] = i
    for sym in symbols:
        msgs = ring_books.get(sym, [])
        if not msgs:
            ck.bad("order", "%s: no book in the ring" % sym)
        for o in msgs[pos[sym]:]:
            ck.bad("order", "%s: ring message %s %d after the capture's "
                   "last" % (sym, cap.key, o[cap.key]))
            ring_apply(ring_book[sym], o)
        ck.compare("%s final book" % sym, cap.books[sym].view(ck.depth),
                   ring_book[sym].view())


def check_trades(cap, ring_trades, ck):
    keys = ("symbol", "vseq", "ts", "price", "qty", "side", "tid")
    got = [{k: o.get(k) for k in keys} for o in ring_trades]
    if len(got) != len(cap.trades):
        ck.bad("trades", "trades: venue %d, ring %d"
               % (len(cap.trades), len(got)))
    for n, (w, g) in enumerate(zip(cap.trades, got)):
        if w != g:
            ck.bad("trade", "trade %d: venue %s, ring %s"
                   % (n, json.dumps(w), json.dumps(g)))
    if not all(cap.notes):
        ck.bad("trades", "trades at the touch: %d of %d on the side the "
               "venue's rule gives" % (sum(cap.notes), len(cap.notes)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venue", required=True,
                    choices=("binance", "bybit", "coinbase", "kraken"))
    ap.add_argument("--capture", required=True)
    ap.add_argument("--symbols", required=True)
    ap.add_argument("--depth", type=int)
    ap.add_argument("ring")
    a = ap.parse_args()
    symbols = a.symbols.split(",")
    if a.venue == "kraken" and a.depth is None:
        ap.error("kraken needs --depth, the subscribed depth")
    cap = Capture(a.venue, records(a.capture), symbols, a.depth)
    ring_books, ring_trades, _ = ring_messages(a.ring, a.venue)
    ck = Checker(a.depth)
    check_books(cap, ring_books, symbols, ck)
    check_trades(cap, ring_trades, ck)
    finals = " ".join("%s %d/%d" % (sym, len(cap.books[sym].bids),
                                    len(cap.books[sym].asks))
                      for sym in symbols)
    print("%s: %d checkpoints, %d levels, %d trades (%d at the touch) "
          "compared;%s venue books (bids/asks) %s; %d mismatches%s"
          % (a.venue, ck.checkpoints, ck.levels, len(cap.trades),
             len(cap.notes), " %d venue checksums verified;" % cap.checksums
             if cap.checksums else "", finals, ck.errors,
             "".join(" (%s %d)" % kv for kv in sorted(ck.kinds.items()))))
    sys.exit(1 if ck.errors else 0)


if __name__ == "__main__":
    main()
