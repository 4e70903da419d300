#!/usr/bin/python3
"""hostile.py WS_PORT REDIS_PORT MAX_MESSAGE SEED SECONDS: hostile
WebSocket clients against a real wsgate, bounded in time, reproducible
from SEED (printed).  Several connections at once each send a random
sequence of frames, cut at random byte boundaries, drawn from good ones
(pings, floods of them, pongs, JSON pings, whole or fragmented with control frames
between the pieces, sizes up to exactly MAX_MESSAGE) and, usually, one
bad one: RSV bits, unmasked, unknown opcodes, control frames too long or
fragmented, 16/64-bit lengths not in their shortest form, 2^63 lengths,
continuation without a message, a message inside a message, binary,
invalid UTF-8 (whole or split over fragments), a message one byte over
MAX_MESSAGE, closes with a 1-byte payload or invalid codes.  After the
bad frame come pings that must NOT be answered.  A reference model of
wsgate(1) and RFC 6455 gives what each connection must get back: every
answer up to the bad frame, in order, then the close code (1002, 1003,
1007, 1009; the echo of a good close), then EOF.  Sequences with no bad
frame end in a close, a half-close (shutdown) or a reset, mid-frame at
times.  Meanwhile slowloris connections dribble a request head (must
get 408), and a well-behaved client must receive every message a
publisher sends, in order.  Prints "ok N" or exits 1 with the first
failure and the seed.
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time

HEAD = (b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n")
LOCK = threading.Lock()
FAILED = []


def fail(msg):
    with LOCK:
        FAILED.append(msg)


def raw(op, payload, fin=True, rsv=0, masked=True, lenform=None, plen=None,
        rng=random):
    """A client frame; lenform 0/126/127 forces the length encoding and
    plen the length written (a lie, for lengths never sent)."""
    n = len(payload) if plen is None else plen
    h = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if masked else 0
    if lenform is None:
        lenform = 0 if n < 126 else 126 if n < 65536 else 127
    if lenform == 0:
        h += bytes([m | n])
    elif lenform == 126:
        h += bytes([m | 126]) + n.to_bytes(2, "big")
    else:
        h += bytes([m | 127]) + n.to_bytes(8, "big")
    if not masked:
        return h + payload
    key = bytes(rng.getrandbits(8) for _ in range(4)) \
        if rng.random() < 0.9 else b"\0\0\0\0"
    return h + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


class Case:
    """One connection's bytes and what it must get back."""

    def __init__(self, rng, maxmsg, n):
        self.rng, self.maxmsg, self.n = rng, maxmsg, n
        self.out = b""
        self.want = []		# ("pong", bytes) / ("json", id)
        self.code = None	# close code expected, None: no close
        self.echo = None	# close payload expected back
        self.end = "close"	# close / shut / reset
        self.desc = []

    def json_ping(self, size=None):
        """A text message {"op":"ping","id":ID}, padded to size."""
        self.n += 1
        ident = "%d-é€" % self.n	# multibyte, to be cut by fragments
        body = ('{"op":"ping","id":"%s"' % ident).encode()
        if size is None:
            size = len(body) + 1 + self.rng.choice([0, 0, 10, 200, 1000])
        body += b" " * max(0, size - len(body) - 1) + b"}"
        return body, ident

    def pieces(self, payload, op, k):
        """payload as k fragments, control frames perhaps between."""
        cuts = sorted(self.rng.sample(range(len(payload) + 1), k - 1))
        parts, last = [], 0
        for c in cuts + [len(payload)]:
            parts.append(payload[last:c])
            last = c
        for i, p in enumerate(parts):
            self.out += raw(op if i == 0 else 0, p, fin=i == k - 1,
                            rng=self.rng)
            if i < k - 1 and self.rng.random() < 0.4:
                self.good_control()

    def good_control(self):
        p = bytes(self.rng.getrandbits(8)
                  for _ in range(self.rng.choice([0, 3, 125])))
        if self.rng.random() < 0.7:
            self.out += raw(0x9, p, rng=self.rng)
            self.want.append(("pong", p))
        else:
            self.out += raw(0xa, p, rng=self.rng)

    def good(self):
        r = self.rng.random()
        if r < 0.02:	# a ping flood, read only once all is sent
            self.desc.append("flood")
            p = b"f" * 125
            for _ in range(self.rng.randint(300, 2000)):
                self.out += raw(0x9, p, rng=self.rng)
                self.want.append(("pong", p))
            return
        if r < 0.3:
            self.good_control()
            return
        size = None
        if r > 0.85:
            size = self.maxmsg	# exactly at the limit
        body, ident = self.json_ping(size)
        k = 1 if self.rng.random() < 0.5 else self.rng.randint(2, 5)
        self.pieces(body, 0x1, k)
        self.want.append(("json", ident))

    def bad(self):
        """One frame wsgate must refuse; sets the close code."""
        rng = self.rng
        kinds = ["rsv", "unmasked", "opcode", "ctl_long", "ctl_frag",
                 "len126", "len127", "len127_small", "len2_63", "len_max",
                 "cont", "nested", "binary", "utf8", "utf8_frag", "over",
                 "over_frag", "close1", "close_code", "close_utf8"]
        kind = rng.choice(kinds)
        self.desc.append(kind)
        body, _ = self.json_ping()
        code = 1002
        if kind == "rsv":
            self.out += raw(rng.choice([0x1, 0x9, 0x0]), body[:20],
                            rsv=rng.randint(1, 7), rng=rng)
        elif kind == "unmasked":
            self.out += raw(0x1, body, masked=False, rng=rng)
        elif kind == "opcode":
            self.out += raw(rng.choice([3, 4, 5, 6, 7, 0xb, 0xc, 0xf]),
                            b"x", rng=rng)
        elif kind == "ctl_long":
            op = rng.choice([0x8, 0x9, 0xa])
            if rng.random() < 0.5:
                self.out += raw(op, b"\x03\xe8" + b"a" * 124, rng=rng)
            else:	# 16-bit form, even for a short payload
                self.out += raw(op, b"ab", lenform=126, rng=rng)
        elif kind == "ctl_frag":
            self.out += raw(rng.choice([0x8, 0x9, 0xa]), b"", fin=False,
                            rng=rng)
        elif kind == "len126":		# 16-bit form for < 126 bytes
            self.out += raw(0x1, body[:rng.randint(0, 125)], lenform=126,
                            rng=rng)
        elif kind == "len127":		# 64-bit form for < 65536
            self.out += raw(0x1, body, lenform=127, rng=rng)
        elif kind == "len127_small":
            self.out += raw(0x1, b"", lenform=127,
                            plen=rng.choice([0, 125, 126, 65535]), rng=rng)
        elif kind == "len2_63":		# top bit set: never a length
            self.out += raw(0x1, b"", lenform=127,
                            plen=(1 << 63) + rng.choice([0, 1, 65536]),
                            rng=rng)
        elif kind == "len_max":		# 2^63 - 1: a length, too big
            self.out += raw(rng.choice([0x1, 0x2]), b"", lenform=127,
                            plen=(1 << 63) - 1, rng=rng)
            code = 1009
        elif kind == "cont":
            self.out += raw(0x0, b"abc", fin=rng.random() < 0.5, rng=rng)
        elif kind == "nested":
            self.out += raw(0x1, body[:3], fin=False, rng=rng)
            if rng.random() < 0.5:
                self.good_control()
            self.out += raw(rng.choice([0x1, 0x2]), b"x", rng=rng)
        elif kind == "binary":
            k = rng.randint(1, 3)
            self.pieces(body, 0x2, k)
            code = 1003
        elif kind == "utf8":
            bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80",
                              b"\xe2\x82", b"\xf4\x90\x80\x80"])
            self.pieces(b'{"op":"ping","id":"' + bad + b'"}', 0x1, 1)
            code = 1007
        elif kind == "utf8_frag":	# a truncated character, cut up
            p = b'{"op":"ping","id":"\xe2\x82"}'
            self.pieces(p, 0x1, rng.randint(2, 4))
            code = 1007
        elif kind == "over":
            self.out += raw(0x1, b" " * (self.maxmsg + 1), rng=rng)
            code = 1009
        elif kind == "over_frag":
            a = rng.randint(1, self.maxmsg)
            self.out += raw(0x1, b" " * a, fin=False, rng=rng)
            if rng.random() < 0.5:
                self.good_control()
            self.out += raw(0x0, b" " * (self.maxmsg + 1 - a), rng=rng)
            code = 1009
        elif kind == "close1":
            self.out += raw(0x8, b"\x03", rng=rng)
        elif kind == "close_code":
            c = rng.choice([0, 999, 1004, 1005, 1006, 1016, 2000, 2999,
                            5000, 65535])
            self.out += raw(0x8, c.to_bytes(2, "big") + b"r", rng=rng)
        elif kind == "close_utf8":	# a close reason is UTF-8 too
            bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80"])
            self.out += raw(0x8, (1000).to_bytes(2, "big") + bad, rng=rng)
            code = 1007
        self.code = code
        # what follows a bad frame must never be answered
        for _ in range(rng.randint(0, 3)):
            self.out += raw(0x9, b"after", rng=rng)
        if rng.random() < 0.3:
            self.out += bytes(rng.getrandbits(8)
                              for _ in range(rng.randint(1, 40)))

    def finish(self):
        """No bad frame: end with a close, a half-close or a reset."""
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            c = rng.choice([None, 1000, 1001, 1011, 3000, 4999])
            p = b"" if c is None else c.to_bytes(2, "big") + \
                "bye é".encode()[:rng.randint(0, 6)]
            # valid UTF-8 only: cut on a character boundary
            try:
                p[2:].decode()
            except UnicodeDecodeError:
                p = p[:-1]
            self.out += raw(0x8, p, rng=rng)
            self.code, self.echo = (c or 1005), p
            self.desc.append("close %s" % c)
            return
        self.end = "shut" if r < 0.8 else "reset"
        self.desc.append(self.end)
        if rng.random() < 0.5:	# mid-frame, mid-message
            body, _ = self.json_ping(rng.randint(30, self.maxmsg))
            f = raw(0x1, body, fin=rng.random() < 0.5, rng=rng)
            self.out += f[:rng.randint(1, len(f) - 1)]


def build(rng, maxmsg, n):
    c = Case(rng, maxmsg, n)
    for _ in range(rng.randint(0, 6)):
        c.good()
    if rng.random() < 0.7:
        c.bad()
    else:
        c.finish()
    return c


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def need(self, n):
        while len(self.buf) < n:
            b = self.s.recv(65536)
            if not b:
                return False
            self.buf += b
        return True

    def frame(self):
        """(op, payload) of the next server frame, or None at EOF."""
        if not self.need(2):
            return None
        n, k = self.buf[1] & 0x7f, 2
        if self.buf[1] & 0x80:
            raise ValueError("server frame masked")
        if n == 126:
            if not self.need(4):
                return None
            n, k = int.from_bytes(self.buf[2:4], "big"), 4
        elif n == 127:
            if not self.need(10):
                return None
            n, k = int.from_bytes(self.buf[2:10], "big"), 10
        if not self.need(k + n):
            return None
        op, p = self.buf[0] & 0x0f, self.buf[k:k + n]
        self.buf = self.buf[k + n:]
        return op, p


def send_cut(s, rng, data):
    """data in pieces cut at random, tiny pauses between some."""
    off = 0
    while off < len(data):
        step = rng.choice([1, 2, 3, 7, 50, 1000, 100000])
        s.sendall(data[off:off + step])
        off += step
        if rng.random() < 0.05:
            time.sleep(0.002)


def run_case(port, c, rng):
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    what = "%s (%d bytes)" % (" ".join(c.desc) or "good", len(c.out))
    try:
        send_cut(s, rng, HEAD + c.out)
    except (BrokenPipeError, ConnectionResetError):
        pass	# wsgate may close before reading all junk; checked below
    if c.end == "shut":
        s.shutdown(socket.SHUT_WR)
    elif c.end == "reset":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
        return
    r = Reader(s)
    try:
        while b"\r\n\r\n" not in r.buf:
            if not r.need(len(r.buf) + 1):
                return fail("%s: EOF before the 101" % what)
        h, _, r.buf = r.buf.partition(b"\r\n\r\n")
        if not h.startswith(b"HTTP/1.1 101"):
            return fail("%s: no 101: %r" % (what, h + r.buf[:200]))
        got = []
        while True:
            f = r.frame()
            if f is None:
                break
            op, p = f
            if op == 0x9:
                continue	# wsgate's own ping
            if op == 0xa:
                got.append(("pong", p))
            elif op == 0x1:
                m = json.loads(p)
                got.append(("json", m.get("id")) if m.get("type") == "pong"
                           else ("msg", m))
            elif op == 0x8:
                got.append(("close", p))
                break
            else:
                got.append(("op", op))
        want = list(c.want)
        if c.code is not None:
            want.append(("close", c.echo if c.echo is not None else None))
        if c.end == "shut":	# answers may or may not come before EOF
            if got and got[-1][0] == "close":
                return fail("%s: close %r after a half-close" % (what, got[-1]))
            if got != want[:len(got)]:
                return fail("%s: got %r, want a prefix of %r" %
                            (what, got[:6], want[:6]))
        else:
            if c.echo is None and got and got[-1][0] == "close":
                code = int.from_bytes(got[-1][1][:2], "big")
                got[-1] = ("close", None) if code == c.code \
                    else ("close", code)
            if got != want:
                diff = next((i for i, (a, b) in enumerate(zip(got, want))
                             if a != b), min(len(got), len(want)))
                return fail("%s: at answer %d got %r, want %r" %
                            (what, diff, got[diff:diff + 3],
                             want[diff:diff + 3]))
        # then EOF (we stop sending: wsgate must end it)
        if c.end != "shut":
            s.shutdown(socket.SHUT_WR)
        while True:
            b = s.recv(65536)
            if not b:
                break
    except socket.timeout:
        fail("%s: no answer or no EOF in 15 s" % what)
    except (ConnectionResetError, ValueError) as e:
        fail("%s: %s" % (what, e))
    finally:
        s.close()


def worker(port, maxmsg, seed, deadline, counts):
    rng = random.Random(seed)
    n = 0
    while time.time() < deadline and not FAILED:
        c = build(rng, maxmsg, n * 100)
        n += 1
        run_case(port, c, rng)
        with LOCK:
            counts[0] += 1
            for d in c.desc:
                counts[1][d] = counts[1].get(d, 0) + 1


def slowloris(port, deadline):
    """A request head a byte at a time, never finished: 408."""
    while time.time() < deadline - 4 and not FAILED:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        t0 = time.time()
        got = b""
        try:
            for b in HEAD[:-2]:
                s.sendall(bytes([b]))
                time.sleep(0.05)
                s.setblocking(False)
                try:
                    got += s.recv(4096)
                except BlockingIOError:
                    pass
                s.setblocking(True)
                if got:
                    break
            s.settimeout(10)
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.close()
        if not got.startswith(b"HTTP/1.1 408"):
            return fail("slowloris: %r after %.1f s" % (got[:30],
                                                       time.time() - t0))


def publish(port, ch, msg):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    a = [b"PUBLISH", ch.encode(), msg.encode()]
    s.sendall(b"*3\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a))
    r = s.recv(64)
    s.close()
    return int(r[1:r.index(b"\r")]) if r.startswith(b":") else 0


def subscriber(port, rport, deadline, res):
    """The well-behaved client: every published message, in order."""
    ch = "md.probe.X-Y.trade"
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    r = Reader(s)
    s.sendall(HEAD + raw(0x1, json.dumps(
        {"op": "subscribe", "channels": [ch]}).encode()))
    while b"\r\n\r\n" not in r.buf:
        r.need(len(r.buf) + 1)
    r.buf = r.buf.partition(b"\r\n\r\n")[2]
    f = r.frame()
    if f is None or json.loads(f[1]).get("type") != "subscribed":
        return fail("subscriber: %r" % (f,))
    # "subscribed" means Redis has the subscription (wsgate(1))
    if publish(rport, ch, '{"type":"warm"}') == 0:
        return fail("subscriber: Redis had no subscription once answered")
    sent = 0
    while time.time() < deadline and not FAILED:
        publish(rport, ch, json.dumps({"type": "trade", "seq": sent}))
        sent += 1
        time.sleep(0.01)
    n = 0
    while n < sent:
        f = r.frame()
        if f is None:
            return fail("subscriber: EOF after %d of %d" % (n, sent))
        if f[0] != 0x1:
            continue
        m = json.loads(f[1])
        if m.get("type") == "warm":
            continue
        if m.get("seq") != n:
            return fail("subscriber: message %d is %r" % (n, m))
        n += 1
    s.sendall(raw(0x8, b"\x03\xe8"))
    s.close()
    res.append(sent)


def main():
    port, rport, maxmsg = (int(a) for a in sys.argv[1:4])
    seed, secs = int(sys.argv[4]), float(sys.argv[5])
    nconn = int(sys.argv[6]) if len(sys.argv) > 6 else 6
    print("hostile.py: seed %d" % seed, file=sys.stderr)
    deadline = time.time() + secs
    counts, res = [0, {}], []
    ts = [threading.Thread(target=worker, args=(port, maxmsg, seed * 1000 + i,
                                                deadline, counts))
          for i in range(nconn)]
    ts.append(threading.Thread(target=slowloris, args=(port, deadline)))
    ts.append(threading.Thread(target=subscriber,
                               args=(port, rport, deadline, res)))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if FAILED:
        print("hostile.py: seed %d: %s" % (seed, FAILED[0]), file=sys.stderr)
        sys.exit(1)
    print("hostile.py: %d connections, %d published; %s" % (
        counts[0], res[0] if res else -1,
        " ".join("%s=%d" % kv for kv in sorted(counts[1].items()))),
        file=sys.stderr)
    print("ok %d" % counts[0])


if __name__ == "__main__":
    main()
