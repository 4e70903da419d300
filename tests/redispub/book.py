#!/usr/bin/python3
"""book.py: expectations for redispub's tests, computed from its input.

  book.py expect PREFIX < IN     "CHANNEL<TAB>LINE" for each valid line
  book.py keys CHANNEL < IN      what CHANNEL.snapshot and .deltas must hold:
                                 the last snapshot line, then the deltas after
  book.py book CHANNEL < IN      the final book of CHANNEL, one level a line
  book.py rebuild < LINES        the book from a snapshot line then deltas
  book.py joiner PORT CHANNEL IDLE
                                 a late joiner by the documented procedure:
                                 SUBSCRIBE, then MULTI GET GET EXEC on a
                                 second connection, apply, then live messages
                                 until none came for IDLE seconds; prints the
                                 book and "applied N live" on stderr
  book.py seqs CHANNEL < IN      "SEQ TYPE" of each book line of CHANNEL
  book.py probe PORT CHANNEL SEQS LIVE IDLE
                                 a late joiner as above (both connections
                                 opened first) that stops after LIVE live
                                 messages beyond what Redis held, or IDLE s
                                 without any; checks that it applied every
                                 message of CHANNEL after its snapshot up
                                 to its last one (SEQS: the seqs output),
                                 none missing; prints "probe: ok ..." or
                                 exits 1 naming the first seq missed
"""
import json
import socket
import sys


def channel(prefix, m):
    t = m["type"]
    if t == "gap":
        return prefix + ".gap"
    if t == "status":
        return "%s.%s.status" % (prefix, m["venue"])
    kind = "trade" if t == "trade" else "book"
    return "%s.%s.%s.%s" % (prefix, m["venue"], m["symbol"], kind)


def apply(book, m):
    """Applies a book message to book (dict side -> {price: qty})."""
    if m["type"] == "book_snapshot":
        book["bids"], book["asks"] = {}, {}
    for side in ("bids", "asks"):
        for price, qty in m.get(side, []):
            if qty == "0":
                book[side].pop(price, None)
            else:
                book[side][price] = qty


def dump(book):
    out = []
    for side in ("bids", "asks"):
        for price in sorted(book[side], key=float, reverse=side == "bids"):
            out.append("%s %s %s" % (side, price, book[side][price]))
    return "\n".join(out)


def messages(f):
    for line in f:
        line = line.rstrip("\n")
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if isinstance(m, dict) and "type" in m:
            yield line, m


class Resp:
    """Just enough RESP2 over a socket."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def reply(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b":"):
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)


def deltas_lines(v):
    """The lines of a C.deltas string (None: absent), each ended by a
    newline (tickpipe(7))."""
    if not v:
        return []
    if not v.endswith("\n"):
        raise RuntimeError("C.deltas does not end with a newline: %r" % v[-80:])
    return v[:-1].split("\n")


def joiner(port, chan, idle):
    sub = Resp(port)
    sub.send("SUBSCRIBE", chan)
    sub.reply()
    kv = Resp(port)
    kv.send("MULTI")
    kv.send("GET", chan + ".snapshot")
    kv.send("GET", chan + ".deltas")
    kv.send("EXEC")
    kv.reply(), kv.reply(), kv.reply()
    snap, deltas = kv.reply()
    deltas = deltas_lines(deltas)
    if snap is None:
        sys.exit("joiner: no snapshot under %s.snapshot" % chan)
    book = {}
    s = json.loads(snap)
    apply(book, s)
    last = s["seq"]
    for d in deltas:
        m = json.loads(d)
        if m["seq"] > last:
            apply(book, m)
            last = m["seq"]
    sub.s.settimeout(idle)
    live = 0
    try:
        while True:
            msg = sub.reply()
            if msg[0] != "message":
                continue
            m = json.loads(msg[2])
            if m["seq"] > last:
                apply(book, m)
                last = m["seq"]
                live += 1
    except (socket.timeout, TimeoutError):
        pass
    print(dump(book))
    print("joiner: snapshot seq %d, %d deltas kept, applied %d live, "
          "last seq %d" % (s["seq"], len(deltas), live, last),
          file=sys.stderr)


def probe(port, chan, seqs_file, want_live, idle):
    ref = []
    with open(seqs_file) as f:
        for line in f:
            seq, t = line.split()
            ref.append((int(seq), t))
    sub = Resp(port)
    kv = Resp(port)
    sub.send("SUBSCRIBE", chan)
    sub.reply()
    kv.send("MULTI")
    kv.send("GET", chan + ".snapshot")
    kv.send("GET", chan + ".deltas")
    kv.send("EXEC")
    kv.reply(), kv.reply(), kv.reply()
    snap, deltas = kv.reply()
    deltas = deltas_lines(deltas)
    if snap is None:
        sys.exit("probe: no snapshot under %s.snapshot" % chan)
    s = json.loads(snap)
    first = last = s["seq"]
    applied = []
    for d in deltas:
        m = json.loads(d)
        if m["seq"] > last:
            applied.append(m["seq"])
            last = m["seq"]
    held = len(applied)
    sub.s.settimeout(idle)
    live = 0
    try:
        while live < want_live:
            msg = sub.reply()
            if msg[0] != "message":
                continue
            m = json.loads(msg[2])
            if m["seq"] > last:
                if m["type"] == "book_snapshot":
                    break       # a new book: what came before is moot
                applied.append(m["seq"])
                last = m["seq"]
                live += 1
    except (socket.timeout, TimeoutError):
        pass
    want = [q for q, t in ref if first < q <= last]
    if applied != want:
        missed = sorted(set(want) - set(applied))
        sys.exit("probe: snapshot seq %d, %d held, %d live: %d of %d "
                 "messages up to seq %d missed, first %s" %
                 (first, held, live, len(missed), len(want), last,
                  missed[0] if missed else "none (extra or out of order)"))
    print("probe: ok snapshot seq %d, %d held, %d live, last seq %d" %
          (first, held, live, last))


def main():
    cmd = sys.argv[1]
    if cmd == "expect":
        for line, m in messages(sys.stdin):
            print("%s\t%s" % (channel(sys.argv[2], m), line))
    elif cmd == "keys":
        snap, deltas = None, []
        for line, m in messages(sys.stdin):
            if channel("md", m) != sys.argv[2]:
                continue
            if m["type"] == "book_snapshot":
                snap, deltas = line, []
            elif m["type"] == "book_delta":
                deltas.append(line)
        print(snap)
        for d in deltas:
            print(d)
    elif cmd == "book":
        book = {"bids": {}, "asks": {}}
        for line, m in messages(sys.stdin):
            if channel("md", m) == sys.argv[2]:
                apply(book, m)
        print(dump(book))
    elif cmd == "rebuild":
        book = {"bids": {}, "asks": {}}
        for line, m in messages(sys.stdin):
            apply(book, m)
        print(dump(book))
    elif cmd == "seqs":
        for line, m in messages(sys.stdin):
            if channel("md", m) == sys.argv[2]:
                print(m["seq"], m["type"])
    elif cmd == "probe":
        probe(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]),
              float(sys.argv[6]))
    elif cmd == "joiner":
        joiner(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit("book.py: unknown command " + cmd)


main()
