#!/usr/bin/python3
"""chaos.py: the two clients of tests/t-chaos-pipeline.sh and its verdict.

  chaos.py redis PORT AUTH_FILE PATTERN LOG
      a Redis subscriber (PSUBSCRIBE PATTERN), reconnecting when Redis
      goes away; AUTH_FILE's first line is "PASSWORD" or "USER PASSWORD"
      (- for none)
  chaos.py ws URL PATTERN LOG
      a WebSocket client of wsgate (python3-websockets), subscribed to
      PATTERN, reconnecting when wsgate goes away
  chaos.py report EVENTS FIRST LAST RING_JSONL LOG...
      reads what the clients logged and says what they lost

Both clients run until SIGTERM.  Each logs, one line an event:
  H KIND                first: "redis" or "ws"
  M MS SEQ CHANNEL      a message with a ring seq, received at MS (epoch ms)
  G MS FROM LOST        a gap line: seqs FROM .. FROM+LOST-1 are lost
  A MS JSON             anything else that is not data (status, gateway,
                        redispub's own documents); those with integer
                        "from" and "lost" announce that range as lost
  D MS WHY              blind from here: the connection ended, or wsgate
                        said redis_down
  U MS WHY              resubscribed, or wsgate said redis_up
  B MS CHANNEL WHY      a book that went wrong without the client being
                        told (see Books)
  F CHANNEL STATE       at exit: each book, "exact <hash>" or "invalid"

A client knows it may have missed messages while blind (its connection
ended, or wsgate said Redis was down), and for seqs a gap line names.
It follows tickpipe(7): a gap line or its own reconnection makes it
wait for the next snapshot of each book.  wsgate's "redis_down" is not
such a notice: wsgate(1) promises that a client's books are made exact
again after Redis returns.

report: every seq from FIRST to LAST must have reached each client, or
have been announced to it: inside a gap line's range or another
document's "from"/"lost" range, or inside one of its blind windows,
which run from the highest seq it had when it went blind to the first
seq it got after it was back (for the WebSocket client, the first trade:
a trade is never part of wsgate's late-joiner replay, so it is live).
EVENTS: "MS SEQ LABEL" lines from the test, one per fault (SEQ: the
ring's seq just before it), then "MS SEQ end".  Every seq is charged to
the fault before it; the report prints per fault the seqs lost and
announced, lost silently, received twice, and the repair time: from the
fault to the first message of a seq above SEQ at the client that got
one last.  The books the clients hold at the end (marked exact) must
equal the books built from RING_JSONL (shmreader --from oldest).
Exits 1 if anything was lost silently or a book is wrong.
"""
import asyncio
import bisect
import hashlib
import json
import signal
import socket
import sys
import time

# ---------------------------------------------------------------- books


def channel_of(prefix, m):
    """The Redis channel redispub publishes line m on (tickpipe(7))."""
    t = m.get("type")
    if t == "gap":
        return prefix + ".gap"
    if t == "stats":
        return prefix + ".tickpipe.stats"
    if t == "status":
        return "%s.%s.status" % (prefix, m.get("venue"))
    if t in ("trade", "book_snapshot", "book_delta"):
        kind = "trade" if t == "trade" else "book"
        return "%s.%s.%s.%s" % (prefix, m["venue"], m["symbol"], kind)
    return "%s.%s" % (prefix, t)


def book_apply(book, m):
    if m["type"] == "book_snapshot":
        book[0].clear()
        book[1].clear()
    for side, levels in ((book[0], m.get("bids", ())),
                         (book[1], m.get("asks", ()))):
        for price, qty in levels:
            if float(qty) == 0:
                side.pop(price, None)
            else:
                side[price] = qty


def book_hash(book):
    h = hashlib.sha1()
    for side, desc in ((book[0], True), (book[1], False)):
        for p in sorted(side, key=float, reverse=desc):
            h.update(("%s %s\n" % (p, side[p])).encode())
        h.update(b"|")
    return h.hexdigest()[:16]


class Books:
    """The client's books, kept by the venue's vseq: a delta must carry
    the vseq after its book's (the collector numbers each symbol's
    deltas so, and a snapshot carries the vseq of the last delta in it).
    A book is exact after a snapshot and invalid after a notice (gap
    line, own reconnection) until the next snapshot.  An exact book that
    gets a delta further on has lost deltas nobody announced: logged."""

    def __init__(self, log):
        self.log = log
        self.b = {}     # channel -> [bids, asks, vseq or None]

    def invalidate(self):
        for st in self.b.values():
            st[2] = None

    def msg(self, ms, chan, m):
        st = self.b.setdefault(chan, [{}, {}, None])
        if m["type"] == "book_snapshot":
            book_apply(st, m)
            st[2] = m["vseq"]
            return
        if st[2] is None or m["vseq"] <= st[2]:
            return
        if m["vseq"] != st[2] + 1:
            self.log("B %d %s delta vseq %d on a book at vseq %d, seq %d"
                     % (ms, chan, m["vseq"], st[2], m["seq"]))
            st[2] = None
            return
        book_apply(st, m)
        st[2] = m["vseq"]

    def final(self):
        for chan in sorted(self.b):
            st = self.b[chan]
            state = "invalid" if st[2] is None else "exact " + book_hash(st)
            self.log("F %s %s" % (chan, state))


# --------------------------------------------------------------- clients


class Client:
    def __init__(self, kind, path, prefix):
        self.f = open(path, "w", buffering=1 << 20)
        self.prefix = prefix
        self.books = Books(self.log)
        self.up = False
        self.log("H %s" % kind)

    def log(self, line):
        self.f.write(line + "\n")

    def blind(self, why):
        self.up = False
        self.log("D %d %s" % (now_ms(), why))
        self.books.invalidate()

    def back(self, why):
        self.up = True
        self.log("U %d %s" % (now_ms(), why))

    def payload(self, text, chan=None):
        ms = now_ms()
        try:
            m = json.loads(text)
        except ValueError:
            self.log("A %d %s" % (ms, json.dumps({"unparsable": text[:200]})))
            return
        if not isinstance(m, dict):
            return
        t = m.get("type")
        if chan is None:
            chan = channel_of(self.prefix, m)
        if t == "gap":
            self.log("G %d %d %d" % (ms, m["from"], m["lost"]))
            self.books.invalidate()
        elif isinstance(m.get("seq"), int) and t in (
                "trade", "book_snapshot", "book_delta", "status"):
            self.log("M %d %d %s" % (ms, m["seq"], chan))
            if t != "trade" and t != "status":
                self.books.msg(ms, chan, m)
        elif t == "stats":
            pass
        else:
            self.log("A %d %s" % (ms, json.dumps(m, separators=(",", ":"))))
            if t == "gateway" and m.get("status") == "redis_down":
                self.log("D %d redis_down" % ms)
            elif t == "gateway" and m.get("status") == "redis_up":
                self.log("U %d redis_up" % ms)
            if isinstance(m.get("from"), int) and isinstance(m.get("lost"), int):
                self.books.invalidate()

    def close(self):
        self.books.final()
        self.f.close()


def now_ms():
    return int(time.time() * 1000)


def resp_cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def resp_parse(buf, i):
    """One RESP2 value from buf at i: (value, next i), or None if buf
    does not hold all of it yet."""
    j = buf.find(b"\r\n", i)
    if j < 0:
        return None
    t, rest = buf[i:i + 1], buf[i + 1:j]
    if t in (b"+", b"-", b":"):
        return (t + rest).decode(), j + 2
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None, j + 2
        if len(buf) < j + 2 + n + 2:
            return None
        return buf[j + 2:j + 2 + n], j + 4 + n
    if t == b"*":
        out, k = [], j + 2
        for _ in range(int(rest)):
            r = resp_parse(buf, k)
            if r is None:
                return None
            out.append(r[0])
            k = r[1]
        return out, k
    raise ValueError("bad RESP at %d: %r" % (i, buf[i:i + 20]))


def redis_session(c, port, auth, pattern, stop):
    """One connection: AUTH, PSUBSCRIBE, messages until it ends."""
    s = socket.create_connection(("127.0.0.1", port), timeout=1)
    try:
        if auth:
            s.sendall(resp_cmd("AUTH", *auth))
        s.sendall(resp_cmd("PSUBSCRIBE", pattern))
        s.settimeout(0.2)
        buf, i = b"", 0
        while not stop or time.monotonic() < stop[0] + 1:
            try:
                data = s.recv(1 << 20)
            except socket.timeout:
                if stop:
                    return      # drained
                continue
            if not data:
                raise ConnectionError("connection closed")
            buf = buf[i:] + data
            i = 0
            while True:
                r = resp_parse(buf, i)
                if r is None:
                    break
                v, i = r
                if isinstance(v, str) and v.startswith("-"):
                    raise ConnectionError(v)
                if not isinstance(v, list):
                    continue
                if v[0] == b"psubscribe":
                    c.back("subscribed")
                elif v[0] == b"pmessage":
                    c.payload(v[3].decode(), v[2].decode())
    finally:
        s.close()


def redis_client(port, pwfile, pattern, path):
    c = Client("redis", path, pattern.split(".")[0])
    stop = []      # [time of SIGTERM]: then read what is there, up to 1 s
    signal.signal(signal.SIGTERM, lambda *a: stop.append(time.monotonic()))
    auth = open(pwfile).readline().split() if pwfile != "-" else []
    while not stop:
        try:
            redis_session(c, port, auth, pattern, stop)
        except (OSError, ConnectionError) as e:
            if c.up:
                c.blind("redis: %s" % e)
            time.sleep(0.05)
    c.close()


def ws_client(url, pattern, path):
    import websockets
    c = Client("ws", path, pattern.split(".")[0])

    async def run():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        loop.add_signal_handler(signal.SIGTERM, lambda: done.done() or
                                done.set_result(1))
        while not done.done():
            try:
                async with websockets.connect(
                        url, ping_interval=None, max_size=None,
                        max_queue=None, open_timeout=5,
                        close_timeout=1) as ws:
                    await ws.send(json.dumps(
                        {"op": "subscribe", "channels": [pattern]}))
                    c.back("connected")
                    while not done.done():
                        rx = asyncio.ensure_future(ws.recv())
                        await asyncio.wait({rx, done},
                                           return_when=asyncio.FIRST_COMPLETED)
                        if not rx.done():
                            rx.cancel()
                            break
                        c.payload(rx.result())
            except (OSError, asyncio.TimeoutError,
                    websockets.exceptions.WebSocketException) as e:
                if c.up and not done.done():
                    code = getattr(e, "code", None)
                    c.blind("ws: %s%s" % (type(e).__name__,
                                          " %s" % code if code else ""))
                await asyncio.sleep(0.05)
    asyncio.run(run())
    c.close()


# ---------------------------------------------------------------- report


def ranges(seqs):
    """[3,4,5,9] -> "3-5 9" (at most 8 ranges shown)"""
    out, start, prev = [], None, None
    for s in seqs:
        if start is None:
            start = prev = s
        elif s == prev + 1:
            prev = s
        else:
            out.append((start, prev))
            start = prev = s
    if start is not None:
        out.append((start, prev))
    txt = " ".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out[:8])
    return txt + (" ... (%d ranges)" % len(out) if len(out) > 8 else "")


class Seen:
    """What one client's log says."""

    def __init__(self, path):
        self.name = path
        self.count = {}          # seq -> times received
        self.first_ms = {}       # seq -> first time received
        self.chans = {}          # channel -> [messages, distinct seqs]
        self.excused = []        # (lo, hi) inclusive, announced or blind
        self.blind = []          # (ms down, ms up)
        self.breaks = []
        self.final = {}
        self.notices = 0
        trade_only = False
        hi = 0
        down = None       # (ms, highest seq then) while blind
        wait_end = None   # back, waiting for the first seq that ends it
        for line in open(path):
            f = line.rstrip("\n").split(" ", 4)
            k = f[0]
            if k == "H":
                trade_only = f[1] == "ws"
            elif k == "M":
                ms, seq, chan = int(f[1]), int(f[2]), f[3]
                n = self.count.get(seq, 0)
                self.count[seq] = n + 1
                if n == 0:
                    self.first_ms[seq] = ms
                cs = self.chans.setdefault(chan, [0, 0])
                cs[0] += 1
                cs[1] += n == 0
                if wait_end is not None and (
                        not trade_only or chan.endswith(".trade")):
                    self.excused.append((wait_end[1] + 1, seq - 1))
                    self.blind.append((wait_end[0], ms))
                    wait_end = None
                if down is None and wait_end is None:
                    hi = max(hi, seq)
            elif k == "G":
                a, n = int(f[2]), int(f[3])
                self.excused.append((a, a + n - 1))
                self.notices += 1
            elif k == "A":
                self.notices += 1
                try:
                    m = json.loads(line.split(" ", 2)[2])
                except ValueError:
                    continue
                if isinstance(m.get("from"), int) and isinstance(m.get("lost"), int):
                    self.excused.append((m["from"], m["from"] + m["lost"] - 1))
            elif k == "D":
                if down is None:
                    down = (int(f[1]), hi if wait_end is None else wait_end[1])
                    wait_end = None
            elif k == "U":
                if down is not None:
                    wait_end = down
                    down = None
            elif k == "B":
                self.breaks.append(line.strip())
            elif k == "F":
                self.final[f[1]] = " ".join(f[2:])
        if down is not None or wait_end is not None:
            lo = (down or wait_end)[1]
            self.excused.append((lo + 1, 1 << 62))
            self.blind.append(((down or wait_end)[0], None))

    def is_excused(self, seq):
        for a, b in self.excused:
            if a <= seq <= b:
                return True
        return False


def repair_ms(c, ms, seq):
    """When client c first got a seq above SEQ at or after MS."""
    for t0, s in c.by_time[bisect.bisect_left(c.by_time, (ms, 0)):]:
        if s > seq:
            return t0
    return None


def report(events_path, first, last, ring_path, logs):
    events = []
    for line in open(events_path):
        ms, seq, label = line.split(None, 2)
        events.append((int(ms), int(seq), label.strip()))
    faults = [e for e in events if e[2] != "end"]
    fault_seqs = [e[1] for e in faults]
    truth = {}
    for line in open(ring_path):
        m = json.loads(line)
        if m["type"] in ("book_snapshot", "book_delta"):
            chan = channel_of("md", m)
            if m["type"] == "book_snapshot":
                truth[chan] = [{}, {}, m["vseq"]]
            if chan in truth:
                book_apply(truth[chan], m)
    truth = {c: book_hash(b) for c, b in truth.items()}
    bad = []
    clients = [Seen(p) for p in logs]
    rows = {}
    for c in clients:
        short = c.name.rsplit("/", 1)[-1]
        c.by_time = sorted((t, s) for s, t in c.first_ms.items())
        silent = []
        for seq in range(first, last + 1):
            n = c.count.get(seq, 0)
            if n == 1:
                continue
            # charged to the last fault at or before it
            r = rows.setdefault((bisect.bisect_left(fault_seqs, seq) - 1,
                                 short), [0, 0, 0])
            if n > 1:
                r[2] += n - 1
            elif c.is_excused(seq):
                r[0] += 1
            else:
                r[1] += 1
                silent.append(seq)
        got = sum(1 for s in range(first, last + 1) if s in c.count)
        print("%s: %d of %d seqs received, %d notices, blind %s" % (
            short, got, last - first + 1, c.notices,
            ", ".join("%s ms" % ((b - a) if b else "open")
                      for a, b in c.blind) or "never"))
        for ch in sorted(c.chans):
            print("  %-28s %8d messages, %8d seqs" % (ch, c.chans[ch][0],
                                                    c.chans[ch][1]))
        if silent:
            bad.append("%s: %d seqs lost without notice: %s" % (
                short, len(silent), ranges(silent)))
        for b in c.breaks:
            bad.append("%s: book went wrong without notice: %s" % (short, b[2:]))
        for ch, st in sorted(c.final.items()):
            if st.startswith("exact") and truth.get(ch) != st.split()[1]:
                bad.append("%s: final book %s differs from the ring's" % (
                    short, ch))
        print("  books at the end: %s" % (", ".join(
            "%s %s" % (ch, st.split()[0])
            for ch, st in sorted(c.final.items())) or "none"))

    print("%-24s %9s  %-10s %8s %8s %8s  %s" % (
        "fault", "at seq", "client", "announced", "SILENT", "dup", "repair"))
    for i, (ms, seq, label) in enumerate(faults):
        rep = [repair_ms(c, ms, seq) for c in clients]
        repair = ("%d ms" % (max(rep) - ms)) if None not in rep else "never"
        for c in clients:
            short = c.name.rsplit("/", 1)[-1]
            r = rows.get((i, short), [0, 0, 0])
            print("%-24s %9s  %-10s %8d %8d %8d  %s" % (
                label, seq, short, r[0], r[1], r[2], repair))
            label, seq, repair = "", "", ""
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "redis":
        redis_client(int(argv[2]), argv[3], argv[4], argv[5])
    elif len(argv) >= 5 and argv[1] == "ws":
        ws_client(argv[2], argv[3], argv[4])
    elif len(argv) >= 7 and argv[1] == "report":
        return report(argv[2], int(argv[3]), int(argv[4]), argv[5], argv[6:])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
