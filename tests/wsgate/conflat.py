#!/usr/bin/python3
"""conflat.py: the conflation side of wsgate's tests (t-wsgate-conflat*.sh).

Subcommands:
  rec     a real WebSocket client (python3-websockets): subscribes, with
          --max-hz or not, and records every message it gets, with its
          arrival time, as JSONL {"t":SECONDS,"m":TEXT} in --out, for
          --secs seconds, until --stop-file exists, or (--until TYPE
          --then N) N messages after the first one of TYPE.
          --pause-after S --pause P: stops reading for P seconds after S
          (a slow client).
  book    checks a recorded conflated book channel against the full
          stream (--capture, shmreader's JSONL): after every message the
          client's book, rebuilt with Decimal, equals the full stream's
          book at that message's seq; and at most --hz messages a second
          (--hz 0: any rate, for a client that read late); and at least
          --min-deltas of them (default 0) conflated book_deltas.
  trades  checks recorded trade batches against the capture: every trade
          of the channel between the first and the last one received
          came, once; at most --hz messages a second.
  same    checks that two recordings got the same frames, from the first
          one both got.
  pub     publishes --count quote lines (seq --first on) on a channel of
          the Redis at 127.0.0.1:PORT at --rate a second, with --set-last
          as redispub does for a latest-value channel (MULTI; SET C.last;
          PUBLISH; EXEC).
  seqs    prints the seqs of the data messages of a recording.
  ask     sends each message given, in order on one connection, and
          prints the type and reason (or channels) of each reply, one a
          line.
  latest  checks a recorded latest-value channel: lines in seq order, at
          most --hz a second, the last one with seq --last.
Each check prints a short summary and exits 0, or 1 with the reason.
"""
import argparse
import asyncio
import json
import os
import sys
import time
from decimal import Decimal

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpub import resp   # noqa: E402  (RESP, as rpub.py speaks it)


def die(msg):
    print("conflat: " + msg, file=sys.stderr)
    sys.exit(1)


# --- rec -------------------------------------------------------------------

async def rec(a):
    out = open(a.out, "w")
    # a slow client queues little, so that wsgate sees it behind soon
    small = {}
    if a.pause_after is not None:
        import socket
        import urllib.parse
        u = urllib.parse.urlsplit(a.url)
        sk = socket.socket()
        sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sk.connect((u.hostname, u.port))
        sk.setblocking(False)
        small = {"max_queue": 1, "read_limit": 4096, "sock": sk}
    async with websockets.connect(a.url, max_size=None, ping_interval=None,
                                  open_timeout=20, close_timeout=5,
                                  **small) as ws:
        req = {"op": "subscribe", "channels": a.channels.split(",")}
        if a.max_hz is not None:
            req["max_hz"] = a.max_hz
        await ws.send(json.dumps(req))
        t0 = time.monotonic()
        until_n = None
        paused = a.pause_after is None
        while True:
            now = time.monotonic() - t0
            if a.secs and now > a.secs:
                break
            if a.stop_file and os.path.exists(a.stop_file):
                break
            if not paused and now >= a.pause_after:
                paused = True
                await asyncio.sleep(a.pause)
                continue
            try:
                m = await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                continue
            except websockets.exceptions.ConnectionClosed as e:
                out.write(json.dumps({"t": now, "closed": e.code,
                                      "reason": e.reason}) + "\n")
                break
            out.write(json.dumps({"t": time.monotonic() - t0, "m": m}) + "\n")
            out.flush()
            if a.until and until_n is None and \
                    json.loads(m).get("type") == a.until:
                until_n = 0
            elif until_n is not None:
                until_n += 1
                if until_n >= a.then:
                    break
            if a.ready and json.loads(m).get("type") == "subscribed":
                open(a.ready, "w").close()
    out.close()


def load(path):
    got = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if "closed" in r:
                got.append((r["t"], {"type": "closed", "code": r["closed"],
                                     "reason": r["reason"]}, ""))
            else:
                got.append((r["t"], json.loads(r["m"]), r["m"]))
    return got


def check_rate(times, hz, what):
    """At most hz messages a second, the first one apart: overall, and
    in any one-second window twice that (arrival bunches up on a loaded
    machine; the gateway spaces its ticks 1/hz apart)."""
    if len(times) < 3:
        die("%s: only %d messages" % (what, len(times)))
    t = times[1:]
    span = t[-1] - t[0]
    if len(t) - 1 > hz * span + 1:
        die("%s: %d messages in %.2f s: more than %d a second"
            % (what, len(t), span, hz))
    j = 0
    for i in range(len(t)):
        while t[i] - t[j] >= 1.0:
            j += 1
        if i - j + 1 > 2 * hz + 1:
            die("%s: %d messages within one second" % (what, i - j + 1))
    return len(times), span


# --- book ------------------------------------------------------------------

def book_of(m, bids, asks):
    for side, lv in ((bids, m.get("bids", [])), (asks, m.get("asks", []))):
        for p, q in lv:
            p, q = Decimal(p), Decimal(q)
            if q == 0:
                side.pop(p, None)
            else:
                side[p] = q


def after(a, got):
    if not a.after:
        return got
    for i, (_, m, _) in enumerate(got):
        if m.get("type") == a.after:
            return got[i + 1:]
    die("no %s message" % a.after)


def cmd_book(a):
    venue, symbol = a.channel.split(".")[1:3]
    got = [(t, m) for t, m, _ in after(a, load(a.got))
           if m.get("type") in ("book_snapshot", "book_delta")]
    if not got:
        die("no book message received")
    if got[0][1]["type"] != "book_snapshot":
        die("first book message is a %s" % got[0][1]["type"])
    want = {m["seq"] for _, m in got}
    full, bids, asks, seen = {}, {}, {}, False
    with open(a.capture) as f:
        for line in f:
            if '"book_' not in line:
                if '"type":"gap"' in line:
                    seen = False    # unknown until the next snapshot
                continue
            m = json.loads(line)
            if m.get("venue") != venue or m.get("symbol") != symbol:
                continue
            if m["type"] == "book_snapshot":
                bids, asks, seen = {}, {}, True
            if not seen:
                continue
            book_of(m, bids, asks)
            if m["seq"] in want:
                full[m["seq"]] = (dict(bids), dict(asks))
    cb, ca, nsnap, ndelta, last = {}, {}, 0, 0, -1
    for t, m in got:
        if m["seq"] <= last and m["type"] == "book_delta":
            die("seq went back: %d after %d" % (m["seq"], last))
        last = m["seq"]
        if m["type"] == "book_snapshot":
            cb, ca = {}, {}
            nsnap += 1
        else:
            ndelta += 1
            if m.get("conflated") is not True:
                die("a delta without \"conflated\":true, seq %d" % m["seq"])
        book_of(m, cb, ca)
        if m["seq"] not in full:
            die("seq %d is no book message of the capture" % m["seq"])
        fb, fa = full[m["seq"]]
        if cb != fb or ca != fa:
            diff = [(p, cb.get(p), fb.get(p)) for p in set(cb) | set(fb)
                    if cb.get(p) != fb.get(p)][:3]
            diff += [(p, ca.get(p), fa.get(p)) for p in set(ca) | set(fa)
                     if ca.get(p) != fa.get(p)][:3]
            die("after %s seq %d the book differs from the full stream's:"
                " (price, client, stream) %s" % (m["type"], m["seq"], diff))
    if ndelta < a.min_deltas:
        die("%d book_delta messages (and %d snapshots), fewer than "
            "--min-deltas %d" % (ndelta, nsnap, a.min_deltas))
    n, span = len(got), got[-1][0] - got[0][0]
    if a.hz:
        n, span = check_rate([t for t, _ in got], a.hz, a.channel)
    print("%d book messages (%d snapshots, %d deltas) in %.1f s, each "
          "equal to the full stream's book at its seq" % (n, nsnap, ndelta,
                                                           span))


# --- trades ----------------------------------------------------------------

def cmd_trades(a):
    venue, symbol = a.channel.split(".")[1:3]
    got = [(t, m) for t, m, _ in load(a.got) if m.get("type") == "trades"]
    seqs = []
    for _, m in got:
        if m.get("channel") != a.channel:
            die("a batch names channel %r" % m.get("channel"))
        seqs += [x["seq"] for x in m["trades"]]
    if len(seqs) != len(set(seqs)):
        die("a trade came twice")
    if not seqs:
        die("no trade received")
    lo, hi = min(seqs), max(seqs)
    cap = set()
    with open(a.capture) as f:
        for line in f:
            if '"type":"trade"' not in line:
                continue
            m = json.loads(line)
            if m.get("venue") == venue and m.get("symbol") == symbol and \
                    lo <= m["seq"] <= hi:
                cap.add(m["seq"])
    if cap != set(seqs):
        die("%d trades in the capture between seq %d and %d, %d received;"
            " missing e.g. %s" % (len(cap), lo, hi, len(seqs),
                                   sorted(cap - set(seqs))[:5]))
    n, span = check_rate([t for t, _ in got], a.hz, a.channel)
    print("%d trades in %d batches over %.1f s, none missing" %
          (len(seqs), n, span))


# --- same ------------------------------------------------------------------

def cmd_same(a):
    x = [raw for _, m, raw in load(a.got[0]) if m.get("type") not in NOTICES]
    y = [raw for _, m, raw in load(a.got[1]) if m.get("type") not in NOTICES]
    # each may have joined a tick apart: align on the first frame both got
    common = set(x) & set(y)
    if not common:
        die("no frame in common")
    i = next(k for k, r in enumerate(x) if r in common)
    j = next(k for k, r in enumerate(y) if r in common)
    x, y = x[i:], y[j:]
    n = min(len(x), len(y))
    if n < 5 or x[:n] != y[:n] or abs(len(x) - len(y)) > 1:
        die("the frames differ (%d and %d from the first common one)"
            % (len(x), len(y)))
    print(n, max(len(data(a.got[0])), len(data(a.got[1]))))


# --- latest-value channels ------------------------------------------------

def cmd_pub(a):
    import socket
    s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
    f = s.makefile("rb")
    t0 = time.monotonic()
    for i in range(a.count):
        if a.rate:
            delay = t0 + i / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        seq = a.first + i
        line = ('{"type":"quote","venue":"sim","symbol":"BTC-USD","seq":%d,'
                '"src_seq":%d,"ts":%d,"recv":%d,"bid":"100.%04d",'
                '"bid_qty":"1.5","ask":"101.%04d","ask_qty":"2"}'
                % (seq, seq, seq, seq, seq % 10000, seq % 10000))
        if a.set_last:
            s.sendall(resp("MULTI") + resp("SET", a.channel + ".last", line)
                      + resp("PUBLISH", a.channel, line) + resp("EXEC"))
            for _ in range(4):
                f.readline()
            for _ in range(2):          # the EXEC's two replies
                f.readline()
        else:
            s.sendall(resp("PUBLISH", a.channel, line))
            f.readline()
    print(a.count)


NOTICES = ("subscribed", "closed", "gateway", "book_invalid")


def data(path):
    """The data messages: not replies, closes or gateway notices."""
    return [(t, m) for t, m, _ in load(path)
            if m.get("type") not in NOTICES]


def cmd_seqs(a):
    print(" ".join(str(m.get("seq")) for _, m in data(a.got)))


def cmd_latest(a):
    got = data(a.got)
    if not got:
        die("nothing received")
    seqs = [m.get("seq") for _, m in got]
    if any(m.get("type") != "quote" for _, m in got):
        die("not a quote line: %r" % [m for _, m in got
                                      if m.get("type") != "quote"][0])
    if seqs != sorted(set(seqs)):
        die("seqs not increasing: %s" % seqs[:20])
    if seqs[-1] != a.last:
        die("the last line has seq %d, not the latest, %d" % (seqs[-1],
                                                               a.last))
    n, span = check_rate([t for t, _ in got], a.hz, "latest")
    print("%d lines over %.1f s, the last one the latest (seq %d)"
          % (n, span, a.last))


async def ask(a):
    async with websockets.connect(a.url, ping_interval=None,
                                  open_timeout=20) as ws:
        for msg in a.msgs:
            await ws.send(msg)
            # the replies to it: those that come within half a second
            # (the next message is sent after them)
            while True:
                try:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except asyncio.TimeoutError:
                    break
                print(m.get("type"), m.get("reason", ",".join(m.get("channels", []))))


def main():
    p = argparse.ArgumentParser()
    sp = p.add_subparsers(dest="cmd", required=True)
    r = sp.add_parser("rec")
    r.add_argument("--url", required=True)
    r.add_argument("--channels", required=True)
    r.add_argument("--max-hz", type=int)
    r.add_argument("--secs", type=float, default=0)
    r.add_argument("--stop-file")
    r.add_argument("--ready")
    r.add_argument("--out", required=True)
    r.add_argument("--pause-after", type=float)
    r.add_argument("--pause", type=float, default=0)
    r.add_argument("--until", help="stop --then messages after one of "
                   "this type (or at --secs)")
    r.add_argument("--then", type=int, default=0)
    for name in ("book", "trades"):
        b = sp.add_parser(name)
        b.add_argument("--after", help="check from this message type on")
        b.add_argument("--capture", required=True)
        b.add_argument("--got", required=True)
        b.add_argument("--channel", required=True)
        b.add_argument("--hz", type=int, required=True)
        if name == "book":
            b.add_argument("--min-deltas", type=int, default=0)
    s = sp.add_parser("same")
    s.add_argument("got", nargs=2)
    s = sp.add_parser("pub")
    s.add_argument("port", type=int)
    s.add_argument("channel")
    s.add_argument("--first", type=int, default=1)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--rate", type=float, default=0)
    s.add_argument("--set-last", action="store_true")
    s = sp.add_parser("ask")
    s.add_argument("--url", required=True)
    s.add_argument("msgs", nargs="+")
    s = sp.add_parser("seqs")
    s.add_argument("got")
    s = sp.add_parser("latest")
    s.add_argument("got")
    s.add_argument("--last", type=int, required=True)
    s.add_argument("--hz", type=int, required=True)
    a = p.parse_args()
    if a.cmd == "rec":
        asyncio.run(rec(a))
    elif a.cmd == "ask":
        asyncio.run(ask(a))
    elif a.cmd == "book":
        cmd_book(a)
    elif a.cmd == "trades":
        cmd_trades(a)
    elif a.cmd == "same":
        cmd_same(a)
    else:
        {"pub": cmd_pub, "seqs": cmd_seqs, "latest": cmd_latest}[a.cmd](a)


if __name__ == "__main__":
    main()
