#!/usr/bin/python3
"""chaos.py: the verdict of tests/t-chaos-pipeline.sh.

  chaos.py report EVENTS TRUTH LAST RING_JSONL LOG...

Each LOG is what a client (tests/chaos/chaos-sub.c, whose comment gives
the format) got.  A client knows it may have missed messages while blind
(its connection ended, or wsgate said Redis was down), and the seqs a gap
line, or any document with "from" and "lost", names.

Every message of TRUTH up to seq LAST (the messages in the ring, from an
observer: shmreader | cut -d, -f1-4, the head of each; a message can take
several records, so not every seq is one) must have reached each client,
or have been announced to it: in such a range, or inside one of its
blind windows, which run from the highest live seq it had when it went
blind to the first live seq it got once back (for the WebSocket client
both are trades': a trade is never part of wsgate's late-joiner replay or
conflation, so it is live; a book's history can carry seqs newer than
live lines still on their way).  Nor does the WebSocket client miss the deltas of a book that
wsgate holds back, by design, until it has sent the client a snapshot of
it, after it joins or Redis returns (then it also sends book_invalid),
or after it told the client the book is invalid ({"type":"book_invalid"}:
a gap line or a status resync reached wsgate, wsgate(1)), from the
highest seq the client had then to the next snapshot of it it gets,
nor the book messages of a channel wsgate told it it moved to conflation
({"type":"conflated"}, a slow client: wsgate(1) --slow-client-hz), from
the last it got of that channel before the notice until it reconnects:
wsgate drops the queued ones and sends the book conflated.  When the
connection then ends (wsgate cuts a client still past its output cap,
discarding its queue, the "conflated" notice with it), the end is the
notice: a book channel's messages after the last the client got of it,
up to the highest live seq when it went blind, are lost and told, as
every book after a disconnection starts again from a snapshot (their
later seqs are in the blind window).  EVENTS: "MS SEQ LABEL" lines from the test, one per fault
(SEQ: the ring's seq just before it), then "MS SEQ end".  Every message
is charged to the fault before it; the report prints per fault and client
the messages lost and announced, lost SILENTly and received twice, and
the repair time: from the fault until each client has a message of a seq
above SEQ.  A book that went wrong without notice (B), or that a client
holds as exact at the end (L lines) unlike the book built from RING_JSONL
(shmreader --from oldest), is a failure too; so is a fault after which a
client never got a seq above SEQ (repair "never"), and a client still
blind when its log ends (a D line with no U after it, or a U with no live
seq after it): its window is open, the loss it excuses unbounded.  Exits
1 on any failure.
"""
import bisect
import hashlib
import json
import sys

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
    """What one client's log says.  SNAPSHOTS: the seqs of the ring's
    book snapshots."""

    def __init__(self, path, snapshots):
        self.name = path
        self.count = {}          # seq -> times received
        self.first_ms = {}       # seq -> first time received
        self.chans = {}          # channel -> [messages, distinct seqs]
        self.excused = []        # (lo, hi) inclusive, announced or blind
        self.blind = []          # (ms down, ms up)
        self.breaks = []
        self.final = {}
        self.lines = {}          # channel -> its book's lines at the end
        self.notices = 0
        self.open_blind = None   # (ms down, highest live seq then)
        # WebSocket only: wsgate holds a book's deltas back from a client
        # until it has sent it a snapshot of that book (wsgate(1)), after
        # the client joins and after Redis returns.  Per (re)join: the
        # highest seq before it, each book's first snapshot after it, and
        # the highest seq before the next blind spell.
        self.joins = []
        # WebSocket only: [channel, last seq of it received before the
        # "conflated" notice, highest seq when the connection ended]
        self.conflated = []
        # WebSocket only: [channel, highest seq received when wsgate said
        # its book is invalid, seq of the next snapshot of it received]
        self.invalid = []
        # WebSocket only: (channel, last seq of it received, highest live
        # seq) for each book channel at each connection's end
        self.cut_off = []
        last_on = {}      # channel -> highest seq received on it
        trade_only = False
        hi = 0
        down = None       # (ms, highest seq then) while blind
        wait_end = None   # back, waiting for the first seq that ends it
        for line in open(path):
            f = line.rstrip("\n").split(" ", 4)
            k = f[0]
            if k == "H":
                trade_only = f[1] == "ws"
                if trade_only:
                    self.joins.append([0, {}, 1 << 62])
            elif k == "M":
                ms, seq, chan = int(f[1]), int(f[2]), f[3]
                n = self.count.get(seq, 0)
                self.count[seq] = n + 1
                if n == 0:
                    self.first_ms[seq] = ms
                last_on[chan] = max(last_on.get(chan, 0), seq)
                cs = self.chans.setdefault(chan, [0, 0])
                cs[0] += 1
                cs[1] += n == 0
                if seq in snapshots and self.joins:
                    self.joins[-1][1].setdefault(chan, seq)
                if seq in snapshots:
                    for w in self.invalid:
                        if w[0] == chan and w[2] == 1 << 62 and seq > w[1]:
                            w[2] = seq
                if wait_end is not None and (
                        not trade_only or chan.endswith(".trade")):
                    self.excused.append((wait_end[1] + 1, seq - 1))
                    self.blind.append((wait_end[0], ms))
                    wait_end = None
                # the highest live seq: for the WebSocket client a
                # trade's (a book's may be history from its keys, sent
                # while live lines still wait in Redis for wsgate)
                if down is None and wait_end is None and (
                        not trade_only or chan.endswith(".trade")):
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
                if trade_only and m.get("type") == "book_invalid" and \
                        isinstance(m.get("channel"), str):
                    ch = m["channel"]
                    self.invalid.append([ch, max(hi, last_on.get(ch, 0)),
                                         1 << 62])
            elif k == "C":
                self.conflated.append([f[2], last_on.get(f[2], hi), 1 << 62])
            elif k == "D":
                if f[2] != "redis_down":    # a new connection: unconflated
                    for w in self.conflated:
                        w[2] = min(w[2], hi)
                    if trade_only and down is None:
                        top = hi if wait_end is None else wait_end[1]
                        self.cut_off.extend(
                            (ch, s, top) for ch, s in last_on.items()
                            if ch.endswith(".book") and s < top)
                if self.joins and self.joins[-1][2] == 1 << 62:
                    self.joins[-1][2] = hi
                if down is None:
                    down = (int(f[1]), hi if wait_end is None else wait_end[1])
                    wait_end = None
            elif k == "U":
                if down is not None and line.rstrip().endswith(" clean"):
                    # back on a Redis nobody had published to: missed nothing
                    self.blind.append((down[0], int(f[1])))
                    down = None
                elif down is not None:
                    wait_end = down
                    down = None
                    if trade_only:
                        self.joins.append([wait_end[1], {}, 1 << 62])
            elif k == "B":
                self.breaks.append(line.strip())
            elif k == "L":
                self.lines.setdefault(f[1], []).append(line.split(" ", 2)[2])
            elif k == "F":
                if f[2] == "exact":
                    book = [{}, {}]
                    for text in self.lines.get(f[1], []):
                        book_apply(book, json.loads(text))
                    self.final[f[1]] = "exact " + book_hash(book)
                else:
                    self.final[f[1]] = f[2]
        if down is not None or wait_end is not None:
            # still blind at the end: what it missed since is told (it
            # knows it is blind), but report() fails the run on it
            self.open_blind = down or wait_end
            self.excused.append((self.open_blind[1] + 1, 1 << 62))
            self.blind.append((self.open_blind[0], None))

    def excuse(self, seq, kind, chan):
        """Why the client could miss SEQ: 0 it was told, 1 wsgate held it
        back; None if it could not."""
        for a, b in self.excused:
            if a <= seq <= b:
                return 0
        if kind in ("book_delta", "book_snapshot"):
            for ch, lo, hi in self.cut_off:
                if ch == chan and lo < seq <= hi:
                    return 0
            for ch, lo, end in self.conflated:
                if ch == chan and lo < seq <= end:
                    return 1
        if kind == "book_delta":
            for ch, lo, end in self.invalid:
                if ch == chan and lo < seq < end:
                    return 1
            for lo, snaps, end in self.joins:
                if lo < seq < min(snaps.get(chan, end), end):
                    return 1
        return None


def repair_ms(c, ms, seq):
    """When client c first got a seq above SEQ at or after MS."""
    for t0, s in c.by_time[bisect.bisect_left(c.by_time, (ms, 0)):]:
        if s > seq:
            return t0
    return None


def read_truth(path, last):
    """The messages in the ring (a message can take several records, so
    not every seq is one), from an observer's lines: the first four
    members of each, {"type":T,"venue":V,["symbol":S,]"seq":N[,...], or a
    gap line.  Returns their seqs, types and channels, and the ranges the
    observer lost."""
    seqs, kinds, chans, lapped = [], [], [], []
    for line in open(path):
        if line.startswith('{"type":"gap"'):
            m = json.loads(line)
            lapped.append("%d-%d" % (m["from"], m["from"] + m["lost"] - 1))
            continue
        m = json.loads(line.rstrip("\n") + "}")
        if m["seq"] <= last:
            seqs.append(m["seq"])
            kinds.append(m["type"])
            chans.append(channel_of("md", m))
    return seqs, kinds, chans, lapped


def report(events_path, truth_path, last, ring_path, logs):
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
    seqs, kinds, chans, lapped = read_truth(truth_path, last)
    if not seqs:
        print("FAIL: the observer saw no message")
        return 1
    print("ring: %d messages, seq %d to %d%s" % (
        len(seqs), seqs[0], seqs[-1], "; the observer itself lost %s: not "
        "checked" % " ".join(lapped) if lapped else ""))
    bad = []
    snapshots = set(s for s, k in zip(seqs, kinds) if k == "book_snapshot")
    clients = [Seen(p, snapshots) for p in logs]
    rows = {}
    for c in clients:
        short = c.name.rsplit("/", 1)[-1]
        c.by_time = sorted((t, s) for s, t in c.first_ms.items())
        silent = []
        for seq, kind, chan in zip(seqs, kinds, chans):
            n = c.count.get(seq, 0)
            if n == 1:
                continue
            # charged to the last fault at or before it
            r = rows.setdefault((bisect.bisect_left(fault_seqs, seq) - 1,
                                 short), [0, 0, 0, 0])
            why = None if n > 1 else c.excuse(seq, kind, chan)
            if n > 1:
                r[3] += n - 1
            elif why is not None:
                r[why] += 1
            else:
                r[2] += 1
                silent.append(seq)
        got = sum(1 for s in seqs if s in c.count)
        print("%s: %d of %d messages received, %d notices, blind %s" % (
            short, got, len(seqs), c.notices,
            ", ".join("%s ms" % ((b - a) if b else "open")
                      for a, b in c.blind) or "never"))
        for ch in sorted(c.chans):
            print("  %-28s %8d messages, %8d seqs" % (ch, c.chans[ch][0],
                                                    c.chans[ch][1]))
        if silent:
            bad.append("%s: %d seqs lost without notice: %s" % (
                short, len(silent), ranges(silent)))
        if c.open_blind is not None:
            bad.append("%s: blind from %d ms (highest live seq %d) to the end "
                       "of its log: never back" % ((short,) + c.open_blind))
        for b in c.breaks:
            bad.append("%s: book went wrong without notice: %s" % (short, b[2:]))
        for ch, st in sorted(c.final.items()):
            if st.startswith("exact") and truth.get(ch) != st.split()[1]:
                bad.append("%s: final book %s differs from the ring's" % (
                    short, ch))
        print("  books at the end: %s" % (", ".join(
            "%s %s" % (ch, st.split()[0])
            for ch, st in sorted(c.final.items())) or "none"))

    print("lost: told (gap line, disconnection, redis_down), held (deltas "
          "wsgate holds back until a snapshot, book messages of a channel "
          "it conflated for a slow client), SILENT; dup: received twice")
    print("%-22s %9s  %-10s %8s %8s %8s %8s  %s" % (
        "fault", "at seq", "client", "told", "held", "SILENT", "dup",
        "repair"))
    for i, (ms, seq, label) in enumerate([(0, 0, "(before the faults)")] +
                                         faults, -1):
        rep = [repair_ms(c, ms, seq) for c in clients]
        repair = ("%d ms" % (max(rep) - ms)) if None not in rep else "never"
        if i < 0:
            repair = ""
        else:
            for c, t in zip(clients, rep):
                if t is None:
                    bad.append("%s: fault %r at seq %d: repair never (no seq "
                               "above it came after it)" % (
                                   c.name.rsplit("/", 1)[-1], label, seq))
        for c in clients:
            short = c.name.rsplit("/", 1)[-1]
            r = rows.get((i, short), [0, 0, 0, 0])
            print("%-22s %9s  %-10s %8d %8d %8d %8d  %s" % (
                label, seq, short, r[0], r[1], r[2], r[3], repair))
            label, seq, repair = "", "", ""
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 7 and argv[1] == "report":
        return report(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
