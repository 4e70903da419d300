#!/usr/bin/python3
"""feed.py PORT IN SPLIT RATE AT GO: feeds redispub (on stdout) the lines
of IN in two parts, so that a test can act at a known point of the stream.

The first SPLIT lines go at once; once Redis (127.0.0.1:PORT) has
published every one of them (seen by a subscriber to PREFIX.*, md by
default, the stats channel aside), the file AT is created.  When the test
creates GO, the rest follows at RATE lines/s, then stdout is closed.
While it waits for GO, it exits (status 1) if GO's directory is gone
(the test ended: its directory removed) or stdout's reader is gone
(redispub ended), so that a test that fails first does not leave it behind.
"""
import os
import select
import socket
import sys
import threading
import time


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def reader_gone():
    """stdout, a pipe or fifo, has no reader any more (POLLERR)."""
    p = select.poll()
    p.register(sys.stdout.fileno(), 0)
    return any(ev & (select.POLLERR | select.POLLHUP | select.POLLNVAL)
               for _, ev in p.poll(0))


def main():
    port, path, split, rate, at, go = sys.argv[1:7]
    split, rate = int(split), float(rate)
    lines = open(path).readlines()
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(resp("PSUBSCRIBE", "md.*"))
    f = s.makefile("rb")

    def reply():
        n = int(f.readline()[1:])
        out = []
        for _ in range(n):
            h = f.readline()
            if h[:1] == b":":
                out.append(h[1:-2])
            else:
                out.append(f.read(int(h[1:]) + 2)[:-2])
        return out

    def first():
        sys.stdout.writelines(lines[:split])
        sys.stdout.flush()

    reply()                             # the PSUBSCRIBE confirmation
    w = threading.Thread(target=first)
    w.start()                           # while the subscriber reads
    seen = 0
    while seen < split:
        m = reply()
        if m[0] == b"pmessage" and m[2] != b"md.tickpipe.stats":
            seen += 1
    s.close()
    w.join()
    open(at, "w").close()
    godir = os.path.dirname(os.path.abspath(go))
    while not os.path.exists(go):
        if not os.path.isdir(godir):
            sys.exit("feed.py: %s is gone: not waiting for %s" % (godir, go))
        if reader_gone():
            sys.exit("feed.py: stdout's reader is gone: not waiting for %s"
                     % go)
        time.sleep(0.02)
    t0 = time.monotonic()
    for i, line in enumerate(lines[split:]):
        d = t0 + i / rate - time.monotonic()
        if d > 0:
            time.sleep(d)
        sys.stdout.write(line)
        sys.stdout.flush()


main()
