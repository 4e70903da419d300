#!/usr/bin/python3
"""kraken_v1to2.py: re-frames recorded Kraken WebSocket v1 book traffic as
the v2 messages that carry the same data, for the collector (which speaks
v2) to replay.

  kraken_v1to2.py IN.jsonl.xz OUT.jsonl

IN and OUT are captures (tests/fixtures/venues/README.md).  Each v1 book
message, [channelID, {"as"|"a": levels}, {"bs"|"b": levels, "c": crc},
"book-N", "PAIR"], becomes one v2 message

  {"channel":"book","type":"snapshot"|"update","data":[{"symbol":PAIR,
   "bids":[{"price":P,"qty":Q},...],"asks":[...],"checksum":CRC,
   "timestamp":T}]}

with every price and quantity the recorded text written as a JSON number
(as v2 sends them), the levels of each side in their recorded order, the
recorded checksum, and as timestamp the latest level time of the message.
XBT is spelled BTC, as v2 does.  v1 sends no checksum with a snapshot: the
one written is computed from the snapshot by Kraken's documented algorithm
(CRC32 of the top 10 asks, then the top 10 bids, each price and quantity
without its point and leading zeros), the same for v1 and v2.  v1
heartbeats become v2 heartbeats; other control messages are dropped.
"""
import datetime
import json
import lzma
import sys
import zlib
from decimal import Decimal


def crc(asks, bids):
    def f(t):
        return t.replace(".", "").lstrip("0")
    top_a = sorted(asks, key=lambda lv: Decimal(lv[0]))[:10]
    top_b = sorted(bids, key=lambda lv: Decimal(lv[0]), reverse=True)[:10]
    s = "".join(f(p) + f(q) for p, q in top_a + top_b)
    return zlib.crc32(s.encode()) & 0xFFFFFFFF


def iso(secs):
    whole, _, frac = secs.partition(".")
    t = datetime.datetime.fromtimestamp(int(whole), datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + (frac + "000000")[:6] + "Z"


def levels(lv):
    return "[" + ",".join('{"price":%s,"qty":%s}' % (p, q)
                          for p, q, *_ in lv) + "]"


def v2(msg):
    """The v2 text of one v1 message, or None."""
    if isinstance(msg, dict):
        return '{"channel":"heartbeat"}' if msg.get("event") == "heartbeat" \
            else None
    if len(msg) < 4 or not str(msg[-2]).startswith("book-"):
        return None
    pair = "/".join("BTC" if a == "XBT" else a for a in msg[-1].split("/"))
    parts = msg[1:-2]
    snap = "as" in parts[0] or "bs" in parts[0]
    asks, bids, c = [], [], None
    for d in parts:
        asks += d.get("as", []) + d.get("a", [])
        bids += d.get("bs", []) + d.get("b", [])
        c = d.get("c", c)
    if snap:
        c = crc([lv[:2] for lv in asks], [lv[:2] for lv in bids])
    ts = max((lv[2] for lv in asks + bids), key=Decimal)
    return ('{"channel":"book","type":"%s","data":[{"symbol":"%s",'
            '"bids":%s,"asks":%s,"checksum":%d,"timestamp":"%s"}]}'
            % ("snapshot" if snap else "update", pair, levels(bids),
               levels(asks), int(c), iso(ts)))


def main():
    src, dst = sys.argv[1:3]
    with lzma.open(src, "rt", encoding="utf-8") as f, \
            open(dst, "w", encoding="utf-8") as out:
        for line in f:
            r = json.loads(line)
            if r["t"] == "recv":
                text = v2(json.loads(r["text"]))
                if text is None:
                    continue
                r = dict(r, text=text)
            out.write(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
