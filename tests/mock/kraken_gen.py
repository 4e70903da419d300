#!/usr/bin/python3
"""kraken_gen.py: writes mock exchange scripts for the Kraken v2 tests,
with book checksums computed here, independently of the collector, from
Kraken's documented algorithm (docs.kraken.com, "Spot WebSockets (v2)
book checksum"): top 10 asks low to high, then top 10 bids high to low,
each price and quantity text with '.' and leading zeros removed,
concatenated, CRC32, unsigned.  Prices and quantities are written as JSON
numbers with their exact text, as Kraken sends them.

usage: kraken_gen.py SCENARIO OUT_SCRIPT OUT_BOOK
OUT_BOOK receives the final book ({"bids":...,"asks":...}, best first).
"""
import json
import sys
import zlib
from decimal import Decimal

DEPTH = 10


def checksum(bids, asks):
    def f(t):
        return t.replace(".", "").lstrip("0")
    s = "".join(f(p) + f(q) for p, q in asks[:10])
    s += "".join(f(p) + f(q) for p, q in bids[:10])
    return zlib.crc32(s.encode()) & 0xFFFFFFFF


class Book:
    def __init__(self):
        self.bids, self.asks = {}, {}

    def apply(self, side, levels):
        d = self.bids if side == "bids" else self.asks
        for p, q in levels:
            if Decimal(q) == 0:
                d.pop(Decimal(p), None)
            else:
                d[Decimal(p)] = (p, q)
        keys = sorted(d, reverse=(side == "bids"))
        for k in keys[DEPTH:]:
            del d[k]

    def sides(self):
        b = [self.bids[k] for k in sorted(self.bids, reverse=True)]
        a = [self.asks[k] for k in sorted(self.asks)]
        return b, a


def levels_json(levels):
    return "[" + ",".join('{"price":%s,"qty":%s}' % (p, q)
                          for p, q in levels) + "]"


def book_msg(book, typ, bids, asks, ts, bad=False):
    book.apply("bids", bids)
    book.apply("asks", asks)
    cs = checksum(*book.sides())
    if bad:
        cs = (cs + 1) & 0xFFFFFFFF
    return ('{"channel":"book","type":"%s","data":[{"symbol":"BTC/USD",'
            '"bids":%s,"asks":%s,"checksum":%d,"timestamp":"%s"}]}'
            % (typ, levels_json(bids), levels_json(asks), cs, ts))


def snapshot(book, base):
    book.bids, book.asks = {}, {}
    bids = [("%d.%d" % (base - i, 5), "0.00100000" if i == 0 else
             "%d.%03d" % (i, i)) for i in range(DEPTH)]
    asks = [("%d.%d" % (base + 1 + i, 0), "1.5000" if i else "0.01000000")
            for i in range(DEPTH)]
    return book_msg(book, "snapshot", bids, asks, "2023-10-06T17:35:55.440295Z")


SUB = "expect 2"
TRADE = ('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD",'
         '"side":"sell","price":45285.2,"qty":0.00100000,"ord_type":"market",'
         '"trade_id":4665906,"timestamp":"2023-10-06T17:35:56.123456Z"}]}')
HB = '{"channel":"heartbeat"}'


def main():
    scen, out, outbook = sys.argv[1:4]
    b = Book()
    lines = []
    if scen == "session":
        lines += ["conn", SUB,
                  '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2023-10-06T17:35:55.000000Z","time_out":"2023-10-06T17:35:55.000100Z"}',
                  snapshot(b, 45280),
                  HB,
                  # a new best bid pushes the 10th bid out of depth
                  book_msg(b, "update", [("45280.6", "0.25")], [],
                           "2023-10-06T17:35:55.500000Z"),
                  # remove the best ask, change another, two updates to
                  # one level in one message
                  book_msg(b, "update", [("45279.5", "2.000")],
                           [("45281.0", "0"), ("45283.0", "0.5"),
                            ("45283.0", "0.75")],
                           "2023-10-06T17:35:55.600000Z"),
                  TRADE]
    elif scen == "checksum":
        lines += ["conn", SUB, snapshot(b, 45280),
                  book_msg(b, "update", [("45280.6", "0.25")], [],
                           "2023-10-06T17:35:55.500000Z", bad=True),
                  book_msg(b, "update", [("45270.6", "0.25")], [],
                           "2023-10-06T17:35:55.600000Z"),
                  "expect 4", snapshot(b, 50000)]
    elif scen == "badtype":
        # a book message of a type neither snapshot nor update
        lines += ["conn", SUB, snapshot(b, 45280),
                  '{"channel":"book","type":"Update","data":[{"symbol":"BTC/USD","bids":[{"price":45280.6,"qty":0.25}],"asks":[],"checksum":1,"timestamp":"2023-10-06T17:35:55.500000Z"}]}',
                  "expect 4", snapshot(b, 50000)]
    elif scen == "reconnect":
        lines += ["conn", SUB, snapshot(b, 45280), "drop",
                  "conn", SUB, snapshot(b, 45280), "repeat 30 0 " + HB,
                  "conn", SUB, snapshot(b, 50000)]
    elif scen == "malformed":
        lines += ["conn", SUB, snapshot(b, 45280),
                  "not json at all",
                  '{"channel":"book","type":"update","data":[{"symbol":"XBT/EUR","bids":[],"asks":[],"checksum":1}]}',
                  '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy"}]}',
                  '{"method":"subscribe","success":false,"error":"Currency pair not supported"}',
                  TRADE]
    with open(out, "w") as f:
        for line in lines:
            if line.split(" ")[0] in ("conn", "expect", "drop", "repeat",
                                      "sleep", "close"):
                f.write(line + "\n")
            else:
                f.write("send " + line + "\n")
    bids, asks = b.sides()
    with open(outbook, "w") as f:
        f.write(json.dumps({"bids": [list(x) for x in bids],
                            "asks": [list(x) for x in asks]},
                           separators=(",", ":")) + "\n")


main()
