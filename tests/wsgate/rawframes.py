#!/usr/bin/python3
"""rawframes.py WS_PORT REDIS_PORT: a WebSocket client on a raw socket
that cuts its frames where no library would: the first frame in the
same segment as the upgrade request, frames sent a byte at a time,
headers split between segments, several frames and a piece of the next
in one segment, a fragmented message with a ping between its pieces,
16- and 64-bit lengths, a pause long enough for wsgate to be idle, then
more traffic, and a close split in two.  Every request must be answered
and every published message delivered, in order.  Prints "ok" or exits 1
with the reason on stderr.
"""
import json
import os
import socket
import sys
import time


def die(msg):
    print("rawframes: " + msg, file=sys.stderr)
    sys.exit(1)


def frame(op, payload, fin=True):
    """A masked client frame (RFC 6455 5.2)."""
    n = len(payload)
    h = bytes([(0x80 if fin else 0) | op])
    if n < 126:
        h += bytes([0x80 | n])
    elif n < 65536:
        h += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        h += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    key = os.urandom(4)
    return h + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def text(obj):
    return frame(0x1, json.dumps(obj).encode())


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send_pieces(self, data, cuts, pause=0.05):
        """data in segments cut at the offsets in cuts, pause between."""
        last = 0
        for c in list(cuts) + [len(data)]:
            if c > last:
                self.s.sendall(data[last:c])
                time.sleep(pause)
            last = c

    def need(self, n):
        while len(self.buf) < n:
            b = self.s.recv(65536)
            if not b:
                die("connection closed; had %r" % self.buf[:80])
            self.buf += b

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            self.need(len(self.buf) + 1)
        h, _, self.buf = self.buf.partition(b"\r\n\r\n")
        if not h.startswith(b"HTTP/1.1 101"):
            die("no 101: %r" % h[:60])

    def frame(self):
        """The next server frame but wsgate's own pings: (opcode, payload)."""
        while True:
            op, p = self.any_frame()
            if op != 0x9:
                return op, p

    def any_frame(self):
        self.need(2)
        op, n, k = self.buf[0] & 0x0f, self.buf[1] & 0x7f, 2
        if n == 126:
            self.need(4)
            n, k = int.from_bytes(self.buf[2:4], "big"), 4
        elif n == 127:
            self.need(10)
            n, k = int.from_bytes(self.buf[2:10], "big"), 10
        self.need(k + n)
        p, self.buf = self.buf[k:k + n], self.buf[k + n:]
        return op, p

    def json(self):
        while True:
            op, p = self.frame()
            if op == 0x1:
                return json.loads(p)
            if op != 0xa:
                die("expected a text frame, got opcode %d %r" % (op, p[:40]))

    def expect(self, want, what):
        m = self.json()
        if m != want:
            die("%s: expected %r, got %r" % (what, want, m))


def publish(port, channel, msg):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    args = [b"PUBLISH", channel.encode(), msg.encode()]
    s.sendall(b"*%d\r\n" % len(args) +
              b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    if not s.recv(64).startswith(b":"):
        die("PUBLISH failed")
    s.close()


def main():
    ws_port, redis_port = int(sys.argv[1]), int(sys.argv[2])
    c = Conn(ws_port)
    ch = "md.raw.X-Y.trade"
    # the first frame in the same segment as the request head
    c.s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n" + text({"op": "ping", "id": 1}))
    c.head()
    c.expect({"type": "pong", "id": 1}, "frame after the head")
    # a byte at a time
    sub = text({"op": "subscribe", "channels": [ch]})
    c.send_pieces(sub, range(1, len(sub)), pause=0.01)
    c.expect({"type": "subscribed", "channels": [ch]}, "byte-at-a-time frame")
    # a 16-bit length, cut inside the length and inside the payload
    big = text({"op": "ping", "id": "a" * 300})
    c.send_pieces(big, [3, 7, 150])
    c.expect({"type": "pong", "id": "a" * 300}, "16-bit length, cut")
    # three frames and the first two bytes of a fourth in one segment
    four = b"".join(text({"op": "ping", "id": i}) for i in range(2, 6))
    c.send_pieces(four, [len(four) - len(text({"op": "ping", "id": 5})) + 2])
    for i in range(2, 6):
        c.expect({"type": "pong", "id": i}, "several frames in a segment")
    # a fragmented message, a ping between its pieces, all cut mid-header
    msg = json.dumps({"op": "ping", "id": "frag"}).encode()
    parts = frame(0x1, msg[:5], fin=False) + frame(0x9, b"mid") + \
        frame(0x0, msg[5:12], fin=False) + frame(0x0, msg[12:])
    c.send_pieces(parts, [1, 12, 13, 20, 25])
    op, p = c.frame()
    if (op, p) != (0xa, b"mid"):
        die("ping between fragments answered %r %r" % (op, p))
    c.expect({"type": "pong", "id": "frag"}, "fragmented message")
    # idle, then data from Redis and from the client again
    time.sleep(1.5)
    for i in range(3):
        publish(redis_port, ch, json.dumps({"type": "trade", "seq": i}))
    for i in range(3):
        c.expect({"type": "trade", "seq": i}, "published after idle")
    # a 64-bit length (wsgate runs with --max-message above 65536)
    huge = text({"op": "ping", "id": "b" * 70000})
    c.send_pieces(huge, [5, 9, 14, 30000, 60000])
    c.expect({"type": "pong", "id": "b" * 70000}, "64-bit length, cut")
    # a close cut in two: echoed, then the server closes TCP
    c.send_pieces(frame(0x8, (1000).to_bytes(2, "big") + b"bye"), [4])
    op, p = c.frame()
    if op != 0x8 or p != (1000).to_bytes(2, "big") + b"bye":
        die("close answered %r %r" % (op, p))
    c.s.settimeout(10)
    if c.s.recv(16) != b"":
        die("bytes after the close frame")
    print("ok")


if __name__ == "__main__":
    main()
