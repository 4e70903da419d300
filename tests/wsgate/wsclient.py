#!/usr/bin/python3
"""wsclient.py: the WebSocket client side of wsgate's tests.

Uses Debian's python3-websockets (10.4, legacy asyncio client), a client
that is not tickpipe's code.  Only "dead" (a peer that stops answering)
speaks raw TCP, since no real client library can be made to go silent.

Subcommands print what they saw on stdout and exit 0 when it matched the
expectation given, 1 otherwise (with the reason on stderr).
"""
import argparse
import asyncio
import bisect
import json
import socket
import sys
import time

import websockets
import websockets.exceptions
from websockets.frames import OP_TEXT, OP_CONT


def die(msg):
    print("wsclient: " + msg, file=sys.stderr)
    sys.exit(1)


def connect(a, **kw):
    hdrs = []
    for h in a.header or []:
        k, v = h.split(":", 1)
        hdrs.append((k.strip(), v.strip()))
    return websockets.connect(a.url, origin=a.origin, extra_headers=hdrs,
                              ping_interval=kw.pop("ping_interval", None),
                              open_timeout=20, close_timeout=10, **kw)


async def recv_json(ws, timeout=20):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def subscribe(ws, channels):
    await ws.send(json.dumps({"op": "subscribe", "channels": channels}))
    while True:
        m = await recv_json(ws)
        if m.get("type") == "subscribed":
            return m
        if m.get("type") == "error":
            print(json.dumps(m), flush=True)


# --- books -----------------------------------------------------------------

class Book:
    """An order book built from book_snapshot/book_delta messages."""

    def __init__(self):
        self.bids, self.asks, self.seq, self.have = {}, {}, None, False

    def apply(self, m):
        if m["type"] == "book_snapshot":
            self.bids = {p: q for p, q in m["bids"]}
            self.asks = {p: q for p, q in m["asks"]}
            self.have = True
        elif m["type"] == "book_delta":
            if not self.have:
                raise ValueError("delta before any snapshot")
            for side, lv in ((self.bids, m.get("bids", [])), (self.asks, m.get("asks", []))):
                for p, q in lv:
                    if q == "0":
                        side.pop(p, None)
                    else:
                        side[p] = q
        else:
            return
        if self.seq is not None and m["seq"] <= self.seq and \
                m["type"] == "book_delta":
            raise ValueError("seq went back: %d after %d" % (m["seq"], self.seq))
        self.seq = m["seq"]

    def dump(self):
        return json.dumps({"seq": self.seq,
                           "bids": sorted(self.bids.items(), key=lambda x: -float(x[0])),
                           "asks": sorted(self.asks.items(), key=lambda x: float(x[0]))})


def at_marker(a):
    """--at CHANNEL=SEQ,... --at-file FILE: a function of the books (a dict
    channel -> Book) that creates FILE once every named book is at its
    seq, so a test can act at a known point of the stream."""
    want = {}
    for x in (a.at.split(",") if a.at else []):
        k, v = x.rsplit("=", 1)
        want[k] = int(v)
    done = [not want]

    def check(books):
        if not done[0] and all(c in books and books[c].seq is not None and
                               books[c].seq >= q for c, q in want.items()):
            open(a.at_file, "w").close()
            done[0] = True
    return check


async def cmd_sub(a):
    """Subscribe; print data messages (or, with --book, the final book)."""
    async with connect(a, max_queue=None, max_size=None) as ws:
        r = await subscribe(ws, a.channels.split(","))
        print(json.dumps(r), flush=True)
        if a.ready:
            open(a.ready, "w").close()
        book, n, end = Book(), 0, time.monotonic() + a.timeout
        first, at = None, at_marker(a)
        while time.monotonic() < end:
            try:
                m = await recv_json(ws, end - time.monotonic())
            except asyncio.TimeoutError:
                break
            if a.book:
                if first is None and m.get("type", "").startswith("book"):
                    first = m["type"]
                    if first != "book_snapshot":
                        die("first book message is a %s" % first)
                try:
                    book.apply(m)
                except ValueError as e:
                    die(str(e))
                at({a.channels: book})
                if a.until_seq is not None and book.seq is not None and \
                        book.seq >= a.until_seq:
                    print(book.dump(), flush=True)
                    return
                continue
            print(json.dumps(m, separators=(",", ":")), flush=True)
            n += 1
            if a.count and n >= a.count:
                return
        if a.book or a.count:
            die("timed out (%d messages, book seq %s)" % (n, book.seq))


async def cmd_books(a):
    """Subscribe (channels or patterns); build one book per book channel
    until each named in --until (CHANNEL=SEQ,...) is at its seq; print
    them, one "CHANNEL BOOK" line each, sorted, then "trades N".  Fails
    on a delta before the channel's snapshot, a duplicate or out-of-order
    book message, or a channel's first book message not a snapshot."""
    until = dict(x.rsplit("=", 1) for x in a.until.split(","))
    until = {k: int(v) for k, v in until.items()}
    async with connect(a, max_queue=None) as ws:
        await subscribe(ws, a.channels.split(","))
        if a.ready:
            open(a.ready, "w").close()
        books, trades, end = {}, 0, time.monotonic() + a.timeout
        at = at_marker(a)
        while time.monotonic() < end:
            try:
                m = await recv_json(ws, end - time.monotonic())
            except asyncio.TimeoutError:
                break
            t = m.get("type", "")
            if t == "trade":
                trades += 1
            if not t.startswith("book_"):
                continue
            ch = "md.%s.%s.book" % (m["venue"], m["symbol"])
            b = books.setdefault(ch, Book())
            if b.seq is not None and m["seq"] <= b.seq:
                die("%s: %s seq %d after %d (duplicate or out of order)"
                    % (ch, t, m["seq"], b.seq))
            try:
                b.apply(m)
            except ValueError as e:
                die("%s: %s" % (ch, e))
            at(books)
            if all(c in books and books[c].seq is not None and
                   books[c].seq >= s for c, s in until.items()):
                for c in sorted(books):
                    print(c, books[c].dump(), flush=True)
                print("trades", trades, flush=True)
                return
        die("timed out: book seqs %s" %
            {c: b.seq for c, b in books.items()})


async def cmd_exact(a):
    """Subscribe; check every book message against the true stream (--seqs:
    "CHANNEL SEQ TYPE" for each book message of the input, in order): a
    delta comes after a snapshot, has a greater seq than the last message
    applied, and no delta of the true stream lies between them, so the
    book is exact at every step; {"type":"book_invalid"} starts the
    channel over (the next message must be a snapshot).  Ends when every
    book of --until is at its seq; prints those books, one "CHANNEL SIDE
    PRICE QTY" line per level, then "CHANNEL invalid=N snapshots=N
    deltas=N" for each channel."""
    until = {k: int(v) for k, v in (x.rsplit("=", 1) for x in a.until.split(","))}
    deltas = {}
    for line in open(a.seqs):
        ch, seq, t = line.split()
        if t == "book_delta":
            deltas.setdefault(ch, []).append(int(seq))
    books, last, count = {}, {}, {}
    async with connect(a, max_queue=None, max_size=None) as ws:
        await subscribe(ws, a.channels.split(","))
        if a.ready:
            open(a.ready, "w").close()
        end = time.monotonic() + a.timeout
        while True:
            if all(last.get(c) is not None and last[c] >= q for c, q in until.items()):
                break
            if time.monotonic() > end:
                die("timed out: %s" % {c: last.get(c) for c in until})
            try:
                m = await recv_json(ws, end - time.monotonic())
            except asyncio.TimeoutError:
                continue
            t = m.get("type", "")
            if t == "book_invalid":
                ch = m["channel"]
                last[ch] = None
                books[ch] = Book()
                count.setdefault(ch, [0, 0, 0])[0] += 1
                continue
            if not t.startswith("book_"):
                continue
            ch = "md.%s.%s.book" % (m["venue"], m["symbol"])
            b, q, k = books.setdefault(ch, Book()), m["seq"], count.setdefault(ch, [0, 0, 0])
            if t == "book_snapshot":
                b.bids, b.asks, b.seq, b.have = {}, {}, None, False
                k[1] += 1
            else:
                p = last.get(ch)
                if p is None:
                    die("%s: delta %d before a snapshot" % (ch, q))
                if q <= p:
                    die("%s: delta %d after %d (duplicate or older)" % (ch, q, p))
                d = deltas.get(ch, [])
                i = bisect.bisect_right(d, p)
                if i < len(d) and d[i] < q:
                    die("%s: delta %d after %d: %d deltas between missed, "
                        "first %d" % (ch, q, p, bisect.bisect_left(d, q) - i, d[i]))
                k[2] += 1
            b.apply(m)
            last[ch] = q
    for c in sorted(until):
        b = books[c]
        for side, lv in (("bids", b.bids), ("asks", b.asks)):
            for p in sorted(lv, key=float, reverse=side == "bids"):
                print(c, side, p, lv[p])
    for c in sorted(count):
        print("%s invalid=%d snapshots=%d deltas=%d" % ((c,) + tuple(count[c])))


async def cmd_status(a):
    """Expect the handshake to get HTTP status a.expect (101 = opens)."""
    try:
        async with connect(a) as ws:
            got = 101
            if a.hold:
                await asyncio.sleep(a.hold)
            await ws.close()
    except websockets.exceptions.InvalidStatusCode as e:
        got = e.status_code
    print(got)
    if got != a.expect:
        die("expected HTTP %d, got %d" % (a.expect, got))


async def expect_close(ws, code, reason_part="", timeout=20):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.exceptions.ConnectionClosed:
        pass
    print("close %s %s" % (ws.close_code, ws.close_reason))
    if ws.close_code != code:
        die("expected close %d, got %s (%s)" % (code, ws.close_code, ws.close_reason))
    if reason_part not in (ws.close_reason or ""):
        die("close reason %r lacks %r" % (ws.close_reason, reason_part))


async def cmd_proto(a):
    """One protocol behaviour, named by a.kind."""
    k = a.kind
    async with connect(a, max_size=None) as ws:
        if k == "fragmented":
            msg = json.dumps({"op": "subscribe", "channels": ["md.frag.a", "md.frag.b"]})
            parts = [msg[i:i + 7] for i in range(0, len(msg), 7)]
            await ws.send(parts)          # one message, len(parts) frames
            m = await recv_json(ws)
            if m != {"type": "subscribed", "channels": ["md.frag.a", "md.frag.b"]}:
                die("fragmented subscribe answered %r" % m)
            # a ping interleaved between fragments must be answered too
            await ws.write_frame(False, OP_TEXT, b'{"op":')
            pong = await ws.ping(b"mid")
            await ws.write_frame(True, OP_CONT, b'"ping","id":"frag"}')
            await asyncio.wait_for(pong, 10)
            m = await recv_json(ws)
            if m != {"type": "pong", "id": "frag"}:
                die("fragmented ping answered %r" % m)
            print("ok")
        elif k == "ping":
            t0 = time.monotonic()
            await asyncio.wait_for(await ws.ping(b"x" * 100), 10)
            await ws.send(json.dumps({"op": "ping", "id": 42}))
            m = await recv_json(ws)
            if m != {"type": "pong", "id": 42}:
                die("op ping answered %r" % m)
            print("ok %.1f ms" % ((time.monotonic() - t0) * 1e3))
        elif k == "utf8":
            await ws.write_frame(True, OP_TEXT, b'{"op":"ping","id":"\xff\xfe"}')
            await expect_close(ws, 1007)
        elif k == "binary":
            await ws.send(b"\x00\x01")
            await expect_close(ws, 1003)
        elif k == "oversize":
            await ws.send(json.dumps({"op": "ping", "id": "x" * a.size}))
            await expect_close(ws, 1009)
        elif k == "unmasked":
            # the library always masks; flip its role for one frame
            ws.is_client = False
            await ws.write_frame(True, OP_TEXT, b'{"op":"ping"}')
            ws.is_client = True
            # at once: later bytes (a pong to wsgate's ping, 20 s on)
            # could turn a misread frame into some other 1002
            await expect_close(ws, 1002, timeout=5)
        elif k == "badjson":
            await ws.send("{nope")
            m = await recv_json(ws)
            if m.get("type") != "error" or "JSON" not in m.get("reason", ""):
                die("bad JSON answered %r" % m)
            await ws.send(json.dumps({"op": "fly"}))
            m = await recv_json(ws)
            if m.get("type") != "error" or "unknown op" not in m.get("reason", ""):
                die("unknown op answered %r" % m)
            await ws.send(json.dumps({"op": "ping"}))
            if (await recv_json(ws)) != {"type": "pong"}:
                die("connection not usable after errors")
            print("ok")
        elif k == "close":
            await ws.close(1000, "bye")
            # the server answers the close and closes TCP first
            await asyncio.wait_for(ws.wait_closed(), 10)
            print("close %s %s" % (ws.close_code, ws.close_reason))
            if ws.close_code != 1000:
                die("clean close got %s" % ws.close_code)
        elif k == "sublimit":
            chans = ["md.lim.%d" % i for i in range(a.size + 1)]
            await ws.send(json.dumps({"op": "subscribe", "channels": chans}))
            errs, sub = 0, None
            while sub is None:
                m = await recv_json(ws)
                if m["type"] == "error":
                    errs += 1
                    if "too many subscriptions" not in m["reason"]:
                        die("limit error reason %r" % m["reason"])
                elif m["type"] == "subscribed":
                    sub = m
            if len(sub["channels"]) != a.size or errs != 1:
                die("limit %d: subscribed %d, %d errors" % (a.size, len(sub["channels"]), errs))
            await ws.send(json.dumps({"op": "unsubscribe", "channels": chans[:1]}))
            m = await recv_json(ws)
            if m != {"type": "unsubscribed", "channels": chans[:1]}:
                die("unsubscribe answered %r" % m)
            await ws.send(json.dumps({"op": "subscribe", "channels": chans[-1:]}))
            m = await recv_json(ws)
            if m != {"type": "subscribed", "channels": chans[-1:]}:
                die("subscribe after unsubscribe answered %r" % m)
            print("ok")
        elif k == "channels":
            # the answer, however long, and the connection still open
            await ws.send(json.dumps({"op": "channels"}))
            m = await recv_json(ws)
            if m.get("type") != "channels":
                die("channels answered %r" % m)
            await ws.send(json.dumps({"op": "ping", "id": 1}))
            if (await recv_json(ws)) != {"type": "pong", "id": 1}:
                die("no pong after the channels")
            print(len(m["channels"]), "channels, then pong")
        else:
            die("unknown kind " + k)


async def cmd_slow(a):
    """Subscribe, stop reading for a.wait seconds, then read what is left:
    the server must have closed with 1008."""
    async with connect(a, max_queue=1, read_limit=4096) as ws:
        await subscribe(ws, a.channels.split(","))
        open(a.ready, "w").close()
        await asyncio.sleep(a.wait)
        n = 0
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 30)
                n += 1
        except websockets.exceptions.ConnectionClosed:
            pass
        print("close %s %s after %d messages" % (ws.close_code, ws.close_reason, n))
        if ws.close_code != 1008 or "slow" not in (ws.close_reason or ""):
            die("slow client got close %s %r" % (ws.close_code, ws.close_reason))


async def cmd_churn(a):
    """Subscribe to a.count new channels (md.churn.N.trade), each
    unsubscribed at once, paced by the "unsubscribed" answers; print how
    many subscribes were refused with an error frame and the last one."""
    async with connect(a, max_queue=None) as ws:
        errs, unsubs, last = 0, 0, None

        async def reader():
            nonlocal errs, unsubs, last
            async for m in ws:
                d = json.loads(m)
                if d.get("type") == "error":
                    errs, last = errs + 1, d.get("reason")
                elif d.get("type") == "unsubscribed":
                    unsubs += 1
        t = asyncio.ensure_future(reader())
        for i in range(a.count):
            name = "md.churn.%d.trade" % i
            await ws.send(json.dumps({"op": "subscribe", "channels": [name]}))
            await ws.send(json.dumps({"op": "unsubscribe", "channels": [name]}))
            while unsubs < i - 1000:
                if t.done():
                    die("connection ended: %s" % ws.close_reason)
                await asyncio.sleep(0.01)
        end = time.monotonic() + a.timeout
        while unsubs < a.count and time.monotonic() < end:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)	# the last error frames, after their unsubscribed
        print("%d subscribes, %d unsubscribed, %d refused, the last: %s" %
              (a.count, unsubs, errs, last), flush=True)
        t.cancel()


async def cmd_wait_close(a):
    """Connected and answering pings; expect the server to close with
    a.expect (e.g. 1001 at SIGTERM), or to stay open a.hold seconds."""
    async with connect(a, ping_interval=None) as ws:
        await subscribe(ws, ["md.x.y.trade"])
        if a.ready:
            open(a.ready, "w").close()
        try:
            m = None
            while True:
                m = await asyncio.wait_for(ws.recv(), a.hold or 30)
                print(m, flush=True)
        except asyncio.TimeoutError:
            if a.hold:
                print("still open")
                return
            die("no close")
        except websockets.exceptions.ConnectionClosed:
            pass
        print("close %s %s" % (ws.close_code, ws.close_reason))
        if ws.close_code != a.expect:
            die("expected close %d, got %s" % (a.expect, ws.close_code))


def cmd_dead(a):
    """Raw TCP: handshake, then never read or answer: the server's pings
    go unanswered and it must close (1008 idle timeout), then TCP."""
    host, port = a.url.split("//")[1].split("/")[0].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=30)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              b"Sec-WebSocket-Version: 13\r\n\r\n")
    t0 = time.monotonic()
    time.sleep(a.wait)  # silent: no reads, no pongs
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            die("server never closed the connection")
        if not b:
            break
        data += b
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        die("no 101: %r" % head[:40])
    pings, close = 0, None
    while rest:
        op, ln = rest[0] & 0x0f, rest[1] & 0x7f
        pay = rest[2:2 + ln]
        rest = rest[2 + ln:]
        if op == 9:
            pings += 1
        elif op == 8:
            close = (int.from_bytes(pay[:2], "big"), pay[2:].decode())
    print("pings %d close %s after %.1f s" % (pings, close, time.monotonic() - t0))
    if pings < 1 or close is None or close[0] != 1008 or "idle" not in close[1]:
        die("dead client: pings %d close %s" % (pings, close))


def cmd_http(a):
    """Raw HTTP/1.1 exchange: send a.raw (escapes like \\r\\n allowed) or
    a GET of a.kind; print the whole response; --expect checks the status."""
    host, port = a.url.split("//")[1].split("/")[0].rsplit(":", 1)
    if a.raw is not None:
        req = a.raw.encode().decode("unicode_escape").encode("latin-1")
    else:
        req = ("%s %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n" %
               (a.method, a.kind, host, port)).encode()
    s = socket.create_connection((host, int(port)), timeout=30)
    s.sendall(req)
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    sys.stdout.buffer.write(data)
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    if a.expect and status != a.expect:
        die("expected HTTP %d, got %r" % (a.expect, data[:60]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd")
    p.add_argument("kind", nargs="?")
    p.add_argument("--url", required=True)
    p.add_argument("--origin")
    p.add_argument("--header", action="append")
    p.add_argument("--channels", default="")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--until-seq", type=int)
    p.add_argument("--book", action="store_true")
    p.add_argument("--until", default="")
    p.add_argument("--at", default="")
    p.add_argument("--at-file")
    p.add_argument("--seqs")
    p.add_argument("--ready")
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--hold", type=float, default=0)
    p.add_argument("--wait", type=float, default=5)
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--raw")
    p.add_argument("--method", default="GET")
    a = p.parse_args()
    if a.cmd == "http":
        return cmd_http(a)
    if a.cmd == "dead":
        return cmd_dead(a)
    f = {"sub": cmd_sub, "books": cmd_books, "exact": cmd_exact,
         "status": cmd_status, "proto": cmd_proto,
         "slow": cmd_slow, "wait-close": cmd_wait_close,
         "churn": cmd_churn}.get(a.cmd)
    if f is None:
        die("unknown command " + a.cmd)
    asyncio.run(f(a))


if __name__ == "__main__":
    main()
