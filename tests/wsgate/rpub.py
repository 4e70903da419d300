#!/usr/bin/python3
"""rpub.py PORT CHANNEL COUNT [--size BYTES] [--rate N] [--first SEQ] [--burst]

Publishes COUNT JSONL-like trade messages {"type":"trade","seq":N,...} on
CHANNEL of the Redis at 127.0.0.1:PORT, speaking RESP over a plain socket.
--rate N paces to N messages/s (0: as fast as Redis takes them).  If Redis
goes away it reconnects every 50 ms and goes on (messages published while
it is down are lost, as with any pub/sub); prints the number sent.
--burst sends all COUNT in one write and then reads the replies, so
that the messages reach a subscriber back to back (no reconnection)."""
import argparse
import socket
import time


MSG = '{"type":"trade","venue":"t","symbol":"T","seq":%d,"pad":"%s"}'


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("channel")
    p.add_argument("count", type=int)
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--first", type=int, default=1)
    p.add_argument("--burst", action="store_true")
    a = p.parse_args()
    pad = "x" * a.size
    if a.burst:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
        f = s.makefile("rb")
        s.sendall(b"".join(resp("PUBLISH", a.channel, MSG % (a.first + i, pad))
                           for i in range(a.count)))
        print(sum(f.readline().startswith(b":") for i in range(a.count)))
        return
    s, f, sent, t0 = None, None, 0, time.monotonic()
    for i in range(a.count):
        if a.rate:
            delay = t0 + i / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        msg = MSG % (a.first + i, pad)
        while True:
            try:
                if s is None:
                    s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
                    f = s.makefile("rb")
                s.sendall(resp("PUBLISH", a.channel, msg))
                if not f.readline().startswith(b":"):
                    raise OSError("bad reply")
                sent += 1
                break
            except OSError:
                s, f = None, None
                time.sleep(0.05)
                break   # this one is lost; go on with the next
    print(sent)


if __name__ == "__main__":
    main()
