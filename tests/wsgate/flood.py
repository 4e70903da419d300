#!/usr/bin/python3
"""flood.py WS_PORT REDIS_PORT N SIZE [churn]: one client sends N requests
{"op":"ping","id":...} whose id is about SIZE bytes of escaped text
("\u00e9", costly to read; the replies echo it), as fast
as TCP takes them, and never reads (a 4 KiB receive buffer); with
"churn", it sends N requests that subscribe to SIZE channels no one
publishes to and unsubscribe from them, by turns, and reads (and drops)
every reply, so that it stays under --output-cap: of the kind
$FLOOD_CHURN_KIND (trade, or book: wsgate reads a book's state from
Redis at each subscription).  Meanwhile a bystander client subscribed
to md.flood.X-Y.trade reads what a publisher puts there: $FLOOD_BATCH
messages (default 1) every 5 ms.  Prints "gap_ms=G flood_s=F sent=S
closed=C lat_p50_ms=.. lat_p99_ms=.. lat_max_ms=.. n=M": the longest
time the bystander went without a message while the flood was sent,
how long sending took, how many requests went, the close code the
flooder got (none: no close frame before the connection ended), and
the time from PUBLISH to the bystander of the M messages it got
meanwhile.  Exits 1 if the bystander was never served.
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawframes import Conn, die, frame, text  # noqa: E402

CH = "md.flood.X-Y.trade"


def opened(port, rcvbuf=None, sndbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    s.settimeout(20)
    s.connect(("127.0.0.1", port))
    c = Conn.__new__(Conn)
    c.s, c.buf = s, b""
    c.s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    c.head()
    return c


def publisher(rport, stop, batch):
    s = socket.create_connection(("127.0.0.1", rport), timeout=5)
    i = 0
    while not stop.is_set():
        out = b""
        for _ in range(batch):
            msg = json.dumps({"type": "trade", "n": i,
                              "t": time.monotonic()}).encode()
            args = [b"PUBLISH", CH.encode(), msg]
            out += b"*3\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(a), a)
                                        for a in args)
            i += 1
        s.sendall(out)
        got = 0
        while got < batch:
            got += s.recv(4096).count(b"\r\n")
        time.sleep(0.005)
    s.close()


def bystander(c, times, lat, stop):
    c.s.settimeout(1)
    while not stop.is_set():
        try:
            op, p = c.frame()
        except (socket.timeout, TimeoutError):
            continue
        if op == 0x1 and b'"trade"' in p:
            now = time.monotonic()
            times.append(now)
            m = json.loads(p)
            for t in m.get("trades", [m]):
                lat.append((now, now - t["t"]))


def drain(s):
    try:
        while s.recv(1 << 16):
            pass
    except OSError:
        pass


def main():
    port, rport, n, size = (int(a) for a in sys.argv[1:5])
    churn = sys.argv[5:6] == ["churn"]
    b = opened(port)
    b.s.sendall(text({"op": "subscribe", "channels": [CH]}))
    while b.json().get("type") != "subscribed":
        pass
    stop, times, lat = threading.Event(), [], []
    batch = int(os.environ.get("FLOOD_BATCH", "1"))
    tp = threading.Thread(target=publisher, args=(rport, stop, batch))
    tb = threading.Thread(target=bystander, args=(b, times, lat, stop))
    tp.start()
    tb.start()
    time.sleep(0.5)
    f = opened(port, rcvbuf=4096, sndbuf=4 << 20)
    if churn:
        # subscribe, then unsubscribe, SIZE channels no one publishes to
        kind = os.environ.get("FLOOD_CHURN_KIND", "trade")
        chans = ["md.churn.S%d-X.%s" % (i, kind) for i in range(size)]
        reqs = [frame(0x1, json.dumps({"op": op, "channels": chans}).encode())
                for op in ("subscribe", "unsubscribe")]
    else:
        # escaped text (\u00e9, six bytes a character): slow to read
        ident = "\u00e9" * (size // 6)
        reqs = [frame(0x1, json.dumps({"op": "ping", "id": ident}).encode())]
    if churn:
        # reads what it is sent, so that it is never over --output-cap
        threading.Thread(target=drain, args=(f.s,), daemon=True).start()
    t0 = time.monotonic()
    sent = 0
    try:
        for i in range(n):
            f.s.sendall(reqs[i % len(reqs)])
            sent += 1
    except OSError:
        pass            # closed by wsgate: what it should do
    t1 = time.monotonic()
    time.sleep(0.5)
    stop.set()
    tp.join()
    tb.join()
    closed = "none"
    try:
        f.s.settimeout(5)
        while True:
            op, p = f.any_frame()
            if op == 0x8:
                closed = str(int.from_bytes(p[:2], "big")) if p else "1005"
                break
    except (OSError, SystemExit):
        pass
    during = [t for t in times if t0 <= t <= t1 + 0.5]
    if not times:
        die("the bystander got nothing")
    edges = [t0] + during + [t1]
    gap = max(b2 - a for a, b2 in zip(edges, edges[1:]))
    ls = sorted(d for t, d in lat if t0 <= t <= t1 + 0.5) or [0]
    print("gap_ms=%d flood_s=%.2f sent=%d closed=%s lat_p50_ms=%.1f "
          "lat_p99_ms=%.1f lat_max_ms=%.1f n=%d" % (
              gap * 1000, t1 - t0, sent, closed, ls[len(ls) // 2] * 1000,
              ls[len(ls) * 99 // 100] * 1000, ls[-1] * 1000, len(ls)))


if __name__ == "__main__":
    main()
