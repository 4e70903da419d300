#!/usr/bin/python3
"""trickle.py PORT_FILE LOG [rest]: a plain-TCP exchange that trickles,
one byte every 0.25 s.  By default, each WebSocket upgrade is answered
with a valid 101 response padded to about 400 bytes, trickled (about
100 s in all): a venue that trickles its handshake.  With "rest", the
upgrade is answered at once and a Binance depth event sent, and each
HTTP GET (a REST snapshot) gets a 200 whose 400-byte body is trickled.
Logs "C<n> open", "C<n> closed" and "R<n> GET PATH" a line.
"""
import base64
import hashlib
import os
import socket
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


DEPTH = (b'{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate",'
         b'"E":1,"s":"BTCUSDT","U":100,"u":102,"b":[],"a":[]}}')


def trickle(c, data):
    for i in range(len(data)):
        c.sendall(data[i:i + 1])
        time.sleep(0.25)


def serve(c, n, log, rest):
    head = b""
    try:
        while b"\r\n\r\n" not in head:
            d = c.recv(4096)
            if not d:
                raise OSError("closed")
            head += d
        if b"upgrade: websocket" not in head.lower():
            log("R%d GET %s" % (n, head.split(b" ")[1].decode()))
            body = b'{"lastUpdateId":101,"bids":[],"asks":[]' + b" " * 360
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json"
                      b"\r\nContent-Length: %d\r\n\r\n" % (len(body) + 1))
            trickle(c, body + b"}")
            c.close()
            return
        log("C%d open" % n)
        key = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"sec-websocket-key:"):
                key = line.split(b":", 1)[1].strip()
        acc = base64.b64encode(hashlib.sha1(key + GUID).digest())
        resp = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nX-Pad: " + b"p" * 300 +
                b"\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
        if rest:
            n7 = len(DEPTH)     # under 126: the length in one byte
            c.sendall(resp + bytes([0x81, n7]) + DEPTH)
        else:
            trickle(c, resp)
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
    log("C%d closed" % n)


def main():
    lf = open(sys.argv[2], "a", buffering=1)
    rest = sys.argv[3:4] == ["rest"]
    lock = threading.Lock()

    def log(s):
        with lock:
            lf.write(s + "\n")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    n = 0
    while True:
        c, _ = s.accept()
        n += 1
        threading.Thread(target=serve, args=(c, n, log, rest),
                         daemon=True).start()


if __name__ == "__main__":
    main()
