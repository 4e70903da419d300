#!/usr/bin/python3
"""Reference model of deriver(1), for the t-deriver-*.sh tests.

Reads the input ring's JSONL (shmreader output) and prints the derived
lines deriver(1) must write, without their "seq", in the same order.
Written from deriver(1) and tickpipe-json(5) with decimal.Decimal, not
from deriver's C: the tests compare the two.

usage: ref.py [--top N:T]... [--bar MS]... [--stale MS] < input.jsonl
"""
import decimal
import json
import sys
from decimal import Decimal
from fractions import Fraction

decimal.getcontext().prec = 200
VENUES = ["unknown", "sim", "coinbase", "kraken", "binance", "bybit", "okx",
          "sim2", "sim3", "all"]
VWAP_DIGITS = 4
MAX_LEVELS = 200000     # a side of a book
MAX_MARKETS = 16384     # venue and symbol pairs
AHEAD_MAX_NS = 60 * 10**9   # a ts further past its recv: taken at recv


def interval_name(ms):
    for unit_ms, unit in ((86400000, "d"), (3600000, "h"), (60000, "m"),
                          (1000, "s"), (1, "ms")):
        if ms % unit_ms == 0:
            return "%d%s" % (ms // unit_ms, unit)
    return "0ms"


def js(s):
    return "null" if s is None else '"%s"' % s


def fmt(d):
    return format(d, "f")


def mant(d):
    """d's mantissa and exponent as a record holds them (tickpipe-json(5))."""
    s = stored(d)
    sign, digits, e = s.as_tuple()
    return int("".join(map(str, digits))) * (-1 if sign else 1), e


def strip_to(v, e, to):
    """v * 10^e with its trailing zeros dropped, e up to to."""
    while e < to and v != 0 and v % 10 == 0:
        v, e = v // 10, e + 1
    return v, e


def sum128(terms):
    """The exact sum of terms (mantissa, exponent) at the finest exponent,
    as deriver adds them, in 128-bit integers, the term at the finer
    exponent first dropping its trailing zeros down to the other's: None
    if a step overflows."""
    s = se = fine = None
    lim = 2**127
    for v, e in terms:
        if s is None:
            s, se, fine = 0, e, e
        fine = min(fine, e)
        if v == 0:
            continue
        if s == 0:
            s, se = v, e
            continue
        if e < se:
            v, e = strip_to(v, e, se)
        elif e > se:
            s, se = strip_to(s, se, e)
        if e < se:
            if se - e > 38 or not -lim <= s * 10**(se - e) < lim:
                return None
            s, se = s * 10**(se - e), e
        elif e > se:
            if e - se > 38 or not -lim <= v * 10**(e - se) < lim:
                return None
            v *= 10**(e - se)
        s += v
        if not -lim <= s < lim:
            return None
    if s is None:
        return Decimal(0)
    return Decimal(s * 10**(se - fine)).scaleb(fine)


def stored(d):
    """d as a record stores it (tickpipe-json(5), Decimals): its own
    exponent if the mantissa fits in an int64, else with as many trailing
    zeros moved into the exponent as needed; None if it cannot be."""
    sign, digits, e = d.as_tuple()
    m = int("".join(map(str, digits))) * (-1 if sign else 1)
    while not -2**63 <= m < 2**63:
        if m % 10 != 0:
            return None
        m, e = m // 10, e + 1
    if not -60 <= e <= 60:
        return None
    return Decimal(m).scaleb(e)


class Market:
    def __init__(self, venue, symbol, ntops, nbars):
        self.venue, self.symbol = venue, symbol
        self.bids, self.asks = {}, {}   # Decimal price -> (ptext, qtext)
        self.booked = False
        self.valid = False
        self.why = "resync"
        self.change_recv = 0
        self.src = (0, 0, 0)
        self.quote = None
        self.dirty = [None] * ntops     # bucket of the first change, or None
        self.bars = [None] * nbars      # open bar, once a trade came
        self.ahead_said = None          # recv of the last "ahead" status

    def best(self, asks):
        side = self.asks if asks else self.bids
        if not side:
            return None
        k = min(side) if asks else max(side)
        return side[k]

    def levels(self, asks, n):
        side = self.asks if asks else self.bids
        keys = sorted(side, reverse=not asks)[:n]
        return [side[k] for k in keys]


class Ref:
    def __init__(self, tops, bars, stale_ms):
        self.tops, self.bars, self.stale_ns = tops, bars, stale_ms * 10**6
        self.markets = {}       # (venue, symbol) -> Market, creation order
        self.syms = {}          # symbol -> last xbest tuple or None
        self.sym_markets = {}   # symbol -> its markets
        self.out = []
        self.nomarket = 0       # records of markets past MAX_MARKETS
        self.full_said = None   # recv of the last status saying so
        self.nahead = 0         # records with ts > recv + AHEAD_MAX_NS

    def head(self, typ, venue, symbol, src):
        return ('{"type":"%s","venue":"%s","symbol":"%s","src_seq":%d,'
                '"ts":%d,"recv":%d' % (typ, venue, symbol, src[0], src[1],
                                       src[2]))

    def market(self, venue, symbol):
        key = (venue, symbol)
        if key not in self.markets:
            if len(self.markets) >= MAX_MARKETS:
                return None
            self.markets[key] = Market(venue, symbol, len(self.tops),
                                       len(self.bars))
            self.syms.setdefault(symbol, None)
            self.sym_markets.setdefault(symbol, []).append(
                self.markets[key])
        return self.markets[key]

    def say(self, said, o, reason):
        """a status info of o's venue and symbol, stamped with its recv
        as ts and recv, at most once a minute of receive time after the
        one said at recv `said` (None: never); returns when it is said"""
        if said is not None and 0 <= o["recv"] - said < 60 * 10**9:
            return said
        self.out.append(self.head("status", o["venue"], o["symbol"],
                                  (0, o["ts"], o["recv"])).replace(
            '"src_seq":0', '"vseq":0') +
            ',"status":"info","reason":"%s"}' % reason)
        return o["recv"]

    def markets_full(self, o):
        self.nomarket += 1
        self.full_said = self.say(
            self.full_said, o, "deriver: more than %d markets (venue and "
            "symbol): new ones not derived, %d records of them skipped so "
            "far" % (MAX_MARKETS, self.nomarket))

    def ahead(self, m, o):
        """o's ts is more than 60 s past its recv: said, taken at recv"""
        self.nahead += 1
        m.ahead_said = self.say(
            m.ahead_said, dict(o, ts=o["recv"]), "deriver: ts %d more than "
            "60 s past its recv: taken at its recv, %d records so far"
            % (o["ts"], self.nahead))

    def emit_top(self, m, t):
        n, ms = self.tops[t]
        lv = lambda a: "[" + ",".join('["%s","%s"]' % x
                                      for x in m.levels(a, n)) + "]"
        self.out.append(self.head("book_top", m.venue, m.symbol, m.src) +
                        ',"depth":%d,"interval_ms":%d,"bids":%s,"asks":%s}'
                        % (n, ms, lv(False), lv(True)))

    def emit_bar(self, m, i, b, at):
        ms = self.bars[i]
        line = self.head("bar", m.venue, m.symbol, at) + \
            ',"interval":"%s","start":%d,"end":%d,"trades":%d' % (
                interval_name(ms), b["start"], b["start"] + ms * 10**6,
                len(b["trades"]))
        tr = b["trades"]
        if tr:
            prices = [Decimal(p) for p, _, _ in tr]
            hi = lo = 0
            for k in range(1, len(tr)):
                if prices[k] > prices[hi]:
                    hi = k
                if prices[k] < prices[lo]:
                    lo = k
            qs = [mant(Decimal(q)) for _, q, _ in tr]
            vol = sum128(qs)
            buy = sum128([x for x, (_, _, s) in zip(qs, tr) if s == "buy"])
            sell = sum128([x for x, (_, _, s) in zip(qs, tr) if s == "sell"])
            if None not in (vol, buy, sell):
                vol, buy, sell = stored(vol), stored(buy), stored(sell)
            what = None
            if None in (vol, buy, sell):
                what = "its volumes do not fit"
            elif vol == 0:
                vwap = tr[-1][0]
            else:
                pq = sum128([(pm * qm, pe + qe) for (pm, pe), (qm, qe) in
                             zip((mant(Decimal(p)) for p, _, _ in tr), qs)])
                if pq is None:
                    what = "its sum of price * qty does not fit in 128 bits"
                else:
                    # 4 more decimals than the finest price, or the most
                    # that fit, rounded half to even (round() of a Fraction)
                    f = Fraction(pq) / Fraction(vol)
                    e = min(min(mant(Decimal(p))[1] for p, _, _ in tr), 0)
                    x = max(e - VWAP_DIGITS, -60)
                    while not -2**63 <= round(f / Fraction(10)**x) < 2**63:
                        x += 1
                    vwap = fmt(Decimal(round(f / Fraction(10)**x)).scaleb(x))
            if what is not None:
                self.out.append(self.head("status", m.venue, m.symbol,
                                          (0,) + at[1:]).replace(
                    '"src_seq":0', '"vseq":0') +
                    ',"status":"info","reason":"deriver: bar of %s from %d '
                    'not emitted: %s"}' % (interval_name(ms), b["start"],
                                           what))
                return
            line += ',"open":"%s","high":"%s","low":"%s","close":"%s"' % (
                tr[0][0], tr[hi][0], tr[lo][0], tr[-1][0])
            line += ',"volume":"%s","buy_volume":"%s","sell_volume":"%s"' \
                ',"vwap":"%s"}' % (fmt(vol), fmt(buy), fmt(sell), vwap)
        else:
            line += ',"open":null,"high":null,"low":null,"close":null' \
                ',"volume":"0","buy_volume":"0","sell_volume":"0",' \
                '"vwap":null}'
        self.out.append(line)

    def tick(self, m, at):
        ts = at[1]
        for t, (n, ms) in enumerate(self.tops):
            if m.dirty[t] is not None and ts // (ms * 10**6) > m.dirty[t]:
                m.dirty[t] = None
                if m.valid:
                    self.emit_top(m, t)
        for i, ms in enumerate(self.bars):
            b = m.bars[i]
            ns = ms * 10**6
            if b is None or ts < b["start"] + ns:
                continue
            while ts >= b["start"] + ns:
                self.emit_bar(m, i, b, at)
                b = m.bars[i] = {"start": b["start"] + ns, "trades": []}

    def trade(self, m, o):
        for i, ms in enumerate(self.bars):
            ns = ms * 10**6
            if m.bars[i] is None:
                m.bars[i] = {"start": o["ts"] - o["ts"] % ns, "trades": []}
            m.bars[i]["trades"].append((o["price"], o["qty"], o["side"]))

    def book(self, m, o):
        m.booked = True
        snap = o["type"] == "book_snapshot"
        if snap:
            # a change if the book was invalid, or if it differs
            old = (m.bids, m.asks) if m.valid else None
            m.bids, m.asks = {}, {}
            m.valid, m.why = True, None
        elif not m.valid:
            return
        changed = False
        for name, side in (("bids", m.bids), ("asks", m.asks)):
            for p, q in o[name]:
                if Decimal(q) == 0:
                    changed |= side.pop(Decimal(p), None) is not None
                else:
                    if Decimal(p) not in side and len(side) >= MAX_LEVELS:
                        self.too_deep(m, o)
                        return
                    changed |= side.get(Decimal(p)) != (p, q)
                    side[Decimal(p)] = (p, q)
        if snap:
            changed = old != (m.bids, m.asks)
        if not changed:     # nothing written, nothing fresher
            return
        m.change_recv = o["recv"]
        m.src = (o["seq"], o["ts"], o["recv"])
        for t, (n, ms) in enumerate(self.tops):
            if m.dirty[t] is None:
                m.dirty[t] = o["ts"] // (ms * 10**6)
        q = (m.best(False), m.best(True))
        if q != m.quote:
            m.quote = q
            line = self.head("quote", m.venue, m.symbol, m.src)
            for name, lv in (("bid", q[0]), ("ask", q[1])):
                line += ',"%s":%s,"%s_qty":%s' % (
                    name, js(lv and lv[0]), name, js(lv and lv[1]))
            self.out.append(line + "}")

    def invalidate(self, m, why):
        m.valid, m.why = False, why
        m.bids, m.asks = {}, {}
        m.quote = None
        m.dirty = [None] * len(self.tops)

    def too_deep(self, m, o):
        self.invalidate(m, "resync")
        self.out.append(self.head("status", m.venue, m.symbol,
                                  (0, o["ts"], o["recv"])).replace(
            '"src_seq":0', '"vseq":0') +
            ',"status":"resync","reason":"deriver: book of more than %d '
            'levels a side: invalid until its next snapshot"}' % MAX_LEVELS)

    def xbest(self, symbol, at):
        ms = sorted((m for m in self.sym_markets[symbol] if m.booked),
                    key=lambda m: VENUES.index(m.venue))
        inc, exc = [], []
        bid = ask = None            # (Decimal price, Decimal qty, texts, venue)
        for m in ms:
            if not m.valid:
                exc.append((m.venue, m.why))
                continue
            if self.stale_ns > 0 and at[2] - m.change_recv > self.stale_ns:
                exc.append((m.venue, "stale"))
                continue
            inc.append(m.venue)
            b, a = m.best(False), m.best(True)
            if b:
                k = (Decimal(b[0]), Decimal(b[1]))
                if bid is None or k > bid[0]:
                    bid = (k, b, m.venue)
            if a:
                k = (Decimal(a[0]), -Decimal(a[1]))
                if ask is None or k < ask[0]:
                    ask = (k, a, m.venue)
        state = "normal"
        if bid and ask:
            if bid[0][0] > ask[0][0]:
                state = "crossed"
            elif bid[0][0] == ask[0][0]:
                state = "locked"
        x = (bid and (bid[1], bid[2]), ask and (ask[1], ask[2]), state,
             tuple(inc), tuple(exc))
        last = self.syms[symbol]
        if x == last or (last is None and not inc and not exc):
            return
        self.syms[symbol] = x
        line = self.head("xbest", "all", symbol, at)
        for name, s in (("bid", x[0]), ("ask", x[1])):
            line += ',"%s":%s,"%s_qty":%s,"%s_venue":%s' % (
                name, js(s and s[0][0]), name, js(s and s[0][1]), name,
                js(s and s[1]))
        line += ',"state":"%s","venues":[%s],"excluded":[%s]}' % (
            state, ",".join('"%s"' % v for v in inc),
            ",".join('{"venue":"%s","why":"%s"}' % e for e in exc))
        self.out.append(line)

    def status(self, o):
        why = {"disconnected": "disconnected", "resync": "resync",
               "checksum": "resync", "sequence": "resync"}.get(o["status"])
        if why is None:
            return
        at = (o["seq"], o["ts"], o["recv"])
        for m in list(self.markets.values()):
            if m.venue != o["venue"] or ("symbol" in o and
                                         m.symbol != o["symbol"]):
                continue
            self.invalidate(m, why)
            if m.booked:
                self.xbest(m.symbol, at)

    def line(self, o):
        if o["venue"] == "all":     # never a venue's own: skipped
            return
        if o["type"] == "status":
            self.status(o)
            return
        if o["type"] not in ("trade", "book_snapshot", "book_delta"):
            return
        m = self.market(o["venue"], o["symbol"])
        if m is None:
            self.markets_full(o)
            return
        if o["ts"] - o["recv"] > AHEAD_MAX_NS:
            self.ahead(m, o)
            o = dict(o, ts=o["recv"])
        at = (o["seq"], o["ts"], o["recv"])
        self.tick(m, at)
        if o["type"] == "trade":
            self.trade(m, o)
        else:
            self.book(m, o)
        # after every trade or book message of the symbol, of any venue
        self.xbest(m.symbol, at)


def main():
    tops, bars, stale, args = [], [], 5000, sys.argv[1:]
    while args:
        opt, val, args = args[0], args[1], args[2:]
        if opt == "--top":
            n, t = val.split(":")
            tops.append((int(n), int(t)))
        elif opt == "--bar":
            bars.append(int(val))
        elif opt == "--stale":
            stale = int(val)
        else:
            sys.exit("ref.py: unknown option " + opt)
    ref = Ref(tops, bars, stale)
    for raw in sys.stdin:
        ref.line(json.loads(raw))
    sys.stdout.write("".join(x + "\n" for x in ref.out))


main()
