#!/usr/bin/python3
"""flood.py WS_PORT REDIS_PORT N SIZE: one client sends N requests
{"op":"ping","id":...} whose id is about SIZE bytes of escaped text
("\u00e9", costly to read; the replies echo it), as fast
as TCP takes them, and never reads (a 4 KiB receive buffer); meanwhile a
bystander client subscribed to md.flood.X-Y.trade reads what a publisher
puts there every 5 ms.  Prints "gap_ms=G flood_s=F sent=S closed=C": the
longest time the bystander went without a message while the flood was
sent, how long sending took, how many requests went, and the close code
the flooder got (none: no close frame before the connection ended).
Exits 1 if the bystander was never served.
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


def publisher(rport, stop):
    s = socket.create_connection(("127.0.0.1", rport), timeout=5)
    i = 0
    while not stop.is_set():
        msg = json.dumps({"type": "trade", "n": i}).encode()
        args = [b"PUBLISH", CH.encode(), msg]
        s.sendall(b"*3\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(a), a)
                                       for a in args))
        s.recv(64)
        i += 1
        time.sleep(0.005)
    s.close()


def bystander(c, times, stop):
    c.s.settimeout(1)
    while not stop.is_set():
        try:
            op, p = c.frame()
        except (socket.timeout, TimeoutError):
            continue
        if op == 0x1 and b'"trade"' in p:
            times.append(time.monotonic())


def main():
    port, rport, n, size = (int(a) for a in sys.argv[1:5])
    b = opened(port)
    b.s.sendall(text({"op": "subscribe", "channels": [CH]}))
    while b.json().get("type") != "subscribed":
        pass
    stop, times = threading.Event(), []
    tp = threading.Thread(target=publisher, args=(rport, stop))
    tb = threading.Thread(target=bystander, args=(b, times, stop))
    tp.start()
    tb.start()
    time.sleep(0.5)
    f = opened(port, rcvbuf=4096, sndbuf=4 << 20)
    # escaped text (\u00e9, six bytes a character): slow to read
    ident = "\u00e9" * (size // 6)
    req = frame(0x1, json.dumps({"op": "ping", "id": ident}).encode())
    t0 = time.monotonic()
    sent = 0
    try:
        for _ in range(n):
            f.s.sendall(req)
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
    print("gap_ms=%d flood_s=%.2f sent=%d closed=%s" % (
        gap * 1000, t1 - t0, sent, closed))


if __name__ == "__main__":
    main()
