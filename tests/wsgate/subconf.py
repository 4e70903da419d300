#!/usr/bin/python3
"""subconf.py: when wsgate answers "subscribed" (tests/t-wsgate-subscribed-
after-redis.sh).

  proxy PORT RPORT DELAY_MS DIR
      A TCP proxy on 127.0.0.1:PORT to the Redis at RPORT, for wsgate: the
      bytes wsgate sends reach Redis DELAY_MS late, so each of its
      SUBSCRIBEs takes effect that long after wsgate sent it, while a
      PUBLISH sent straight to Redis does not wait.  While DIR/stall
      exists nothing wsgate sends reaches Redis (it is held, in order);
      while DIR/down exists every connection is cut and new ones are
      refused: Redis is down as wsgate sees it.  While DIR/stallread
      exists, a key read (the bytes from a GETRANGE on) is held, and what
      follows it on its connection.  Touches DIR/proxy.ready.

  race URL RPORT KIND N
      N times: a request for fresh channels of KIND (exact, pattern,
      conflated, multi); once "subscribed" comes, a PUBLISH straight to
      Redis on each channel must count a subscriber (Redis has wsgate's
      subscription) and the message must reach the client.  Then the
      client unsubscribes, so the next round subscribes anew.

  stalled URL RPORT DIR
      With DIR/stall made: a new channel's "subscribed" waits for Redis;
      a channel another client has is answered at once; answers keep the
      order of the requests; a channel unsubscribed while it waits
      leaves the answer; a 65th subscribe waiting is refused; a client
      that leaves while waiting costs nothing.

  cluster URL PORT N PAUSE_MS
      On a Redis Cluster (a node at PORT), N times: one request for two
      fresh channels, the node serving the first paused for PAUSE_MS
      (CLIENT PAUSE ALL) just before it; "subscribed" must come no
      sooner than the pause ends, and an SPUBLISH on each channel then
      count a subscriber and reach the client.

  replica URL RPORT PPORT N PAUSE_MS
      With wsgate on a replica (sentinel://, --replica RPORT's), N times:
      the replica paused for PAUSE_MS just before a request for a fresh
      channel; "subscribed" must come no sooner than the pause ends, and
      a PUBLISH on the primary (PPORT) then reach the client.

  down URL RPORT DIR
      With DIR/down made: a client subscribing while Redis is down gets
      "subscribed" only once wsgate has reconnected and subscribed, and
      then gets what is published.

  booksync URL RPORT DIR
      With DIR/stallread made, so that a book's keys are being read and
      the client's next book waits to be: a live snapshot of either book
      reaches the client at once, the deltas after it follow, and once
      the reads end (their keys empty) nothing is sent twice.

  patchurn URL RPORT
      Patterns md.c.N.* (N < 64) subscribed and unsubscribed 10 times
      over (tests/t-wsgate-pattern-routes.sh), a PUBLISH on md.c.N.trade
      after each subscribe and one numbered {"seq":K} on md.c.7.trade
      after each unsubscribe (K = 1 to 640); waits for every answer.

Uses Debian's python3-websockets, a client that is not tickpipe's code.
Exits 0 when every expectation held, 1 otherwise (the reason on stderr).
"""
import asyncio
import json
import os
import socket
import sys
import time

import websockets


def die(msg):
    print("subconf: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


# --- the proxy --------------------------------------------------------------

async def proxy_main(port, rport, delay, d):
    stall, down = os.path.join(d, "stall"), os.path.join(d, "down")
    stallread = os.path.join(d, "stallread")
    conns = set()

    async def pump_up(r, w):
        """wsgate -> Redis: each chunk delay late, none while stalled,
        none from a key read on while its reads are stalled."""
        q = asyncio.Queue()
        held = False
        tail = b""

        async def feed():
            while True:
                b = await r.read(65536)
                q.put_nowait((time.monotonic() + delay, b))
                if not b:
                    return
        t = asyncio.ensure_future(feed())
        try:
            while True:
                due, b = await q.get()
                held = held or b"GETRANGE" in tail + b
                tail = b[-8:]
                while time.monotonic() < due or os.path.exists(stall) or (
                        held and os.path.exists(stallread)):
                    await asyncio.sleep(0.005)
                held = False
                if not b:
                    break
                w.write(b)
                await w.drain()
        finally:
            t.cancel()

    async def pump_down(r, w):
        while True:
            b = await r.read(65536)
            if not b:
                return
            w.write(b)
            await w.drain()

    async def handle(cr, cw):
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", rport)
        except OSError:
            cw.close()
            return
        tasks = [asyncio.ensure_future(pump_up(cr, uw)),
                 asyncio.ensure_future(pump_down(ur, cw))]
        conns.add((cw, uw))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except Exception:
            pass
        for t in tasks:
            t.cancel()
        conns.discard((cw, uw))
        cw.close()
        uw.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", port)
    open(os.path.join(d, "proxy.ready"), "w").close()
    while True:
        await asyncio.sleep(0.02)
        if os.path.exists(down) and srv is not None:
            srv.close()     # connections refused, as by a Redis that is down
            srv = None
            for cw, uw in list(conns):
                cw.transport.abort()
                uw.transport.abort()
        elif not os.path.exists(down) and srv is None:
            srv = await asyncio.start_server(handle, "127.0.0.1", port)


# --- the client side --------------------------------------------------------

def command(port, *args):
    """One command straight to the Redis at port; its reply's first line."""
    out = b"*%d\r\n" % len(args)
    for x in args:
        x = x.encode()
        out += b"$%d\r\n%s\r\n" % (len(x), x)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(out)
        buf = b""
        while not buf.endswith(b"\r\n"):
            b = s.recv(256)
            if not b:
                die("redis closed on %s" % args[0])
            buf += b
    return buf.decode().strip()


def publish(rport, ch, msg, cmd="PUBLISH"):
    """PUBLISH straight to Redis; returns how many subscribers it had."""
    r = command(rport, cmd, ch, msg)
    if not r.startswith(":"):
        die("%s answered %r" % (cmd, r))
    return int(r[1:])


def owner(port, ch):
    """The port of the cluster node serving ch (an SPUBLISH nobody gets)."""
    r = command(port, "SPUBLISH", ch, '{"type":"probe"}')
    if r.startswith("-MOVED "):
        return int(r.rsplit(":", 1)[1])
    if not r.startswith(":"):
        die("SPUBLISH probe answered %r" % r)
    return port


async def recv(ws, timeout=15):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def until(ws, pred, what, timeout=15):
    """The first message pred accepts; errors and timeouts are fatal."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            die("no %s within %g s" % (what, timeout))
        try:
            m = await recv(ws, left)
        except asyncio.TimeoutError:
            die("no %s within %g s" % (what, timeout))
        if m.get("type") == "error":
            die("error while waiting for %s: %r" % (what, m))
        if pred(m):
            return m


async def nothing(ws, secs, what):
    """No frame at all for secs (the answer must wait)."""
    try:
        m = await recv(ws, secs)
    except asyncio.TimeoutError:
        return
    die("%s: got %r before Redis could have answered" % (what, m))


async def answer(ws, what):
    """The next frame, within 15 s."""
    try:
        return await recv(ws)
    except asyncio.TimeoutError:
        die("no answer to %s within 15 s" % what)


def is_sub(m):
    return m.get("type") == "subscribed"


async def race(url, rport, kind, n):
    async with websockets.connect(url, ping_interval=None) as ws:
        lost, waited = 0, []
        for i in range(n):
            if kind == "pattern":
                names = ["md.sc%d.*" % i]
                chans = ["md.sc%d.T-%d.trade" % (i, i)]
            elif kind == "multi":
                chans = names = ["md.mu.A-%d.trade" % i,
                                 "md.mu.B-%d.trade" % i]
            else:
                chans = names = ["md.%s.T-%d.trade" % (kind, i)]
            req = {"op": "subscribe", "channels": names}
            if kind == "conflated":
                req["max_hz"] = 50
            t0 = time.monotonic()
            await ws.send(json.dumps(req))
            m = await until(ws, is_sub, "subscribed")
            waited.append(time.monotonic() - t0)
            if m["channels"] != names:
                die("%s round %d: answered %r" % (kind, i, m))
            for ch in chans:
                payload = '{"type":"trade","venue":"sc","seq":%d,"ch":"%s"}' % (i + 1, ch)
                if publish(rport, ch, payload) < 1:
                    lost += 1
                    print("round %d: %s published after \"subscribed\" "
                          "reached no subscriber in Redis" % (i, ch),
                          file=sys.stderr)
                    continue
                if kind == "conflated":
                    await until(ws, lambda m: m.get("type") == "trades" and
                                m.get("channel") == ch and
                                any(t.get("seq") == i + 1 for t in m["trades"]),
                                "conflated trade on " + ch)
                else:
                    await until(ws, lambda m: m.get("ch") == ch,
                                "trade on " + ch)
            await ws.send(json.dumps({"op": "unsubscribe", "channels": names}))
            await until(ws, lambda m: m.get("type") == "unsubscribed",
                        "unsubscribed")
        waited.sort()
        print("%s: %d rounds, %d messages lost, \"subscribed\" after "
              "%.0f..%.0f ms" % (kind, n, lost, waited[0] * 1e3,
                                 waited[-1] * 1e3))
        if lost:
            die("%s: %d of %d messages published after \"subscribed\" lost"
                % (kind, lost, n * len(chans)))


async def stalled(url, rport, d):
    stall = os.path.join(d, "stall")
    conn = lambda: websockets.connect(url, ping_interval=None)
    async with conn() as a, conn() as b, conn() as c:
        await a.send(json.dumps({"op": "subscribe", "channels": ["md.st.S.trade"]}))
        await until(a, is_sub, "subscribed (a)")
        open(stall, "w").close()
        # a channel some client has: no Redis round trip needed
        await b.send(json.dumps({"op": "subscribe", "channels": ["md.st.S.trade"]}))
        m = await until(b, is_sub, "subscribed to a shared channel", 10)
        if m["channels"] != ["md.st.S.trade"]:
            die("shared: %r" % m)
        # a new channel waits; the shared one asked after it waits too
        await b.send(json.dumps({"op": "subscribe", "channels": ["md.st.N.trade"]}))
        await b.send(json.dumps({"op": "subscribe", "channels": ["md.st.S.trade"]}))
        await nothing(b, 1.0, "new channel while Redis is stalled")
        # one channel of a request unsubscribed while it waits: it is
        # left out of the answer; a request left empty is answered empty
        await c.send(json.dumps({"op": "subscribe", "channels": ["md.st.U.trade", "md.st.V.trade"]}))
        await c.send(json.dumps({"op": "subscribe", "channels": ["md.st.W.trade"]}))
        await nothing(c, 0.3, "request of c")
        await c.send(json.dumps({"op": "unsubscribe", "channels": ["md.st.U.trade"]}))
        m = await answer(c, "unsubscribe while waiting")
        if m != {"type": "unsubscribed", "channels": ["md.st.U.trade"]}:
            die("unsubscribe while waiting: %r" % m)
        await c.send(json.dumps({"op": "unsubscribe", "channels": ["md.st.W.trade"]}))
        m = await answer(c, "second unsubscribe while waiting")
        if m != {"type": "unsubscribed", "channels": ["md.st.W.trade"]}:
            die("second unsubscribe while waiting: %r" % m)
        # at most 64 subscribes wait for their answers: one more is refused
        async with conn() as f:
            for k in range(65):
                await f.send(json.dumps({"op": "subscribe", "channels": ["md.st.F.trade"]}))
            m = await answer(f, "a 65th subscribe waiting")
            if m.get("type") != "error" or "too many subscribes waiting" not in m["reason"]:
                die("65th subscribe waiting answered %r" % m)
        # clients that leave while their answer waits
        for k in range(5):
            async with conn() as e:
                await e.send(json.dumps({"op": "subscribe", "channels": ["md.st.L%d.book" % k, "md.*.L.*"]}))
        os.unlink(stall)
        m = await until(b, is_sub, "subscribed (b, new)")
        if m["channels"] != ["md.st.N.trade"]:
            die("answers out of order: first %r" % m)
        m = await until(b, is_sub, "subscribed (b, shared)")
        if m["channels"] != ["md.st.S.trade"]:
            die("answers out of order: second %r" % m)
        m = await until(c, is_sub, "subscribed (c)")
        if m["channels"] != ["md.st.V.trade"]:
            die("request with an unsubscribed channel answered %r" % m)
        m = await until(c, is_sub, "subscribed (c, emptied)")
        if m["channels"] != []:
            die("request emptied by unsubscribe answered %r" % m)
        for ch, ws in (("md.st.N.trade", b), ("md.st.V.trade", c)):
            if publish(rport, ch, '{"type":"trade","ch":"%s"}' % ch) < 1:
                die("%s: not subscribed in Redis once answered" % ch)
            await until(ws, lambda m: m.get("ch") == ch, "trade on " + ch)
    print("stalled: ok")


async def down(url, rport, d):
    dn = os.path.join(d, "down")
    async with websockets.connect(url, ping_interval=None) as ws:
        open(dn, "w").close()
        await until(ws, lambda m: m.get("status") == "redis_down", "redis_down")
        await ws.send(json.dumps({"op": "subscribe", "channels": ["md.dn.D.trade"]}))
        await nothing(ws, 1.0, "subscribe while Redis is down")
        os.unlink(dn)
        seen = []
        await until(ws, lambda m: seen.append(m.get("status") or m.get("type")) or is_sub(m),
                    "subscribed once Redis is back", 20)
        if "redis_up" not in seen:
            die("subscribed came before redis_up: %r" % seen)
        if publish(rport, "md.dn.D.trade", '{"type":"trade","ch":"d"}') != 1:
            die("not subscribed in Redis once answered")
        await until(ws, lambda m: m.get("ch") == "d", "trade after reconnect")
    print("down: ok")


async def patchurn(url, rport):
    async with websockets.connect(url, ping_interval=None) as ws:
        n = k = 0
        for rnd in range(10):
            for i in range(64):
                p = "md.c.%d.*" % i
                await ws.send(json.dumps({"op": "subscribe", "channels": [p]}))
                publish(rport, "md.c.%d.trade" % i, "{}")
                await ws.send(json.dumps({"op": "unsubscribe",
                                          "channels": [p]}))
                k += 1
                publish(rport, "md.c.7.trade", '{"seq":%d}' % k)
            while n < 64 * (rnd + 1):
                n += (await recv(ws, 20)).get("type") == "unsubscribed"
        print(n, "unsubscribed,", k, "published on md.c.7.trade")


async def booksync(url, rport, d):
    stallread = os.path.join(d, "stallread")
    chans = ["md.bs.A.book", "md.bs.B.book"]

    def book(kind, sym, seq):
        return json.dumps({"type": kind, "venue": "bs", "symbol": sym,
                           "seq": seq, "vseq": seq, "bids": [["1", "1"]],
                           "asks": []})

    def is_book(m):
        return m.get("type") in ("book_snapshot", "book_delta")

    async def deltas(ws, seq, what):
        """A delta of seq on each book, and each is the next one the
        client gets."""
        for ch, sym in zip(chans, "AB"):
            publish(rport, ch, book("book_delta", sym, seq))
        for sym in "AB":
            m = await until(ws, is_book, "a delta " + what, 10)
            if (m["symbol"], m["type"], m["seq"]) != (sym, "book_delta", seq):
                die("%s: got %r" % (what, m))

    open(stallread, "w").close()
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": chans}))
        await until(ws, is_sub, "subscribed")
        await nothing(ws, 0.5, "while A's keys are read")
        # A is being read (its read held by the proxy), B waits for it
        for ch, sym in zip(chans, "AB"):
            if publish(rport, ch, book("book_snapshot", sym, 5)) < 1:
                die(ch + ": no subscriber in Redis")
        got = {}
        for k in range(2):
            m = await until(ws, is_book, "a live snapshot while the keys "
                            "are read", 10)
            got[m["symbol"]] = (m["type"], m["seq"])
        if got != {"A": ("book_snapshot", 5), "B": ("book_snapshot", 5)}:
            die("live snapshots while syncing: got %r" % got)
        await deltas(ws, 6, "after the snapshots")
        os.unlink(stallread)
        # the reads end (empty keys): nothing of them reaches the client
        await nothing(ws, 1.0, "once the reads are let through")
        await deltas(ws, 7, "after the reads")
    print("booksync: ok")


async def cluster(url, port, n, pause):
    """N rounds: two channels in one request, the node of the first
    paused (CLIENT PAUSE ALL) just before the request: the answer cannot
    come before Redis has processed wsgate's SSUBSCRIBE, that is before
    the pause ends; then an SPUBLISH on each reaches the client."""
    async with websockets.connect(url, ping_interval=None) as ws:
        waited = []
        for i in range(n):
            chans = ["md.cs.A-%d.trade" % i, "md.cs.B-%d.trade" % i]
            nodes = [owner(port, ch) for ch in chans]
            t0 = time.monotonic()
            if command(nodes[0], "CLIENT", "PAUSE", str(pause), "ALL") != "+OK":
                die("CLIENT PAUSE refused")
            await ws.send(json.dumps({"op": "subscribe", "channels": chans}))
            m = await until(ws, is_sub, "subscribed")
            dt = time.monotonic() - t0
            waited.append(dt)
            if m["channels"] != chans:
                die("round %d: answered %r" % (i, m))
            if dt < pause / 1000:
                die("round %d: \"subscribed\" %.0f ms after node %d was "
                    "paused for %d ms: before Redis had the SSUBSCRIBE" %
                    (i, dt * 1e3, nodes[0], pause))
            for ch, node in zip(chans, nodes):
                if publish(node, ch, '{"type":"trade","ch":"%s"}' % ch,
                           "SPUBLISH") < 1:
                    die("round %d: %s not subscribed on node %d once "
                        "answered" % (i, ch, node))
                await until(ws, lambda m: m.get("ch") == ch, "trade on " + ch)
        waited.sort()
        print("cluster: %d rounds, \"subscribed\" %.0f..%.0f ms after a "
              "%d ms pause began" % (n, waited[0] * 1e3, waited[-1] * 1e3,
                                     pause))


async def replica(url, rport, pport, n, pause):
    """N rounds: the replica wsgate follows paused (CLIENT PAUSE ALL)
    just before a request for a fresh channel: the answer cannot come
    before the pause ends; then a PUBLISH on the primary reaches the
    client through the replica."""
    async with websockets.connect(url, ping_interval=None) as ws:
        waited = []
        for i in range(n):
            ch = "md.rp.R-%d.trade" % i
            t0 = time.monotonic()
            if command(rport, "CLIENT", "PAUSE", str(pause), "ALL") != "+OK":
                die("CLIENT PAUSE refused")
            await ws.send(json.dumps({"op": "subscribe", "channels": [ch]}))
            m = await until(ws, is_sub, "subscribed")
            dt = time.monotonic() - t0
            waited.append(dt)
            if m["channels"] != [ch]:
                die("round %d: answered %r" % (i, m))
            if dt < pause / 1000:
                die("round %d: \"subscribed\" %.0f ms after the replica "
                    "was paused for %d ms: before it had the SUBSCRIBE" %
                    (i, dt * 1e3, pause))
            publish(pport, ch, '{"type":"trade","ch":"%s"}' % ch)
            await until(ws, lambda m: m.get("ch") == ch, "trade on " + ch)
        waited.sort()
        print("replica: %d rounds, \"subscribed\" %.0f..%.0f ms after a "
              "%d ms pause began" % (n, waited[0] * 1e3, waited[-1] * 1e3,
                                     pause))


def main():
    a = sys.argv[1:]
    if a[:1] == ["proxy"] and len(a) == 5:
        asyncio.run(proxy_main(int(a[1]), int(a[2]), int(a[3]) / 1000, a[4]))
    elif a[:1] == ["race"] and len(a) == 5:
        asyncio.run(race(a[1], int(a[2]), a[3], int(a[4])))
    elif a[:1] == ["stalled"] and len(a) == 4:
        asyncio.run(stalled(a[1], int(a[2]), a[3]))
    elif a[:1] == ["cluster"] and len(a) == 5:
        asyncio.run(cluster(a[1], int(a[2]), int(a[3]), int(a[4])))
    elif a[:1] == ["replica"] and len(a) == 6:
        asyncio.run(replica(a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5])))
    elif a[:1] == ["booksync"] and len(a) == 4:
        asyncio.run(booksync(a[1], int(a[2]), a[3]))
    elif a[:1] == ["patchurn"] and len(a) == 3:
        asyncio.run(patchurn(a[1], int(a[2])))
    elif a[:1] == ["down"] and len(a) == 4:
        asyncio.run(down(a[1], int(a[2]), a[3]))
    else:
        die("usage: see the top of this file")


main()
