#!/usr/bin/python3
"""seqcount.py: the WebSocket clients of the Redis Sentinel tests.

  seqcount.py listen URL OUT READY STOP
      subscribes to md.* on wsgate at URL (python3-websockets, a client
      that is not tickpipe's code), touches READY once subscribed, and
      writes what it gets to OUT, one event a line, until STOP exists:
      "s SEQ MS -" (a trade or status message and when it came),
      "b SEQ MS KEY" (a book delta of KEY, VENUE.SYMBOL; wsgate may send
      books again from the late-joiner keys after a reconnection),
      "n SEQ MS KEY" (a book snapshot), "i KEY" (a book_invalid frame),
      "r SEQ MS" (a status "resync" line), "g FROM LOST" (a gap line),
      "d" and "u" (the gateway's redis_down and redis_up frames),
      "c KEY" (a conflated frame: wsgate moved the book KEY of a slow
      client to conflation, wsgate(1) "Conflation").
  seqcount.py check JSONL OUT
      compares OUT with the lines published (JSONL): prints
      "received= missing= announced= unannounced= duplicated= replayed=
      maxgap_ms=": duplicated counts trades and status messages got twice,
      replayed book messages got twice; missing counts every line
      published (the client subscribes before the first).  A missing seq
      is announced when a gap line covers it, when it falls between the
      last seq before a redis_down frame and the first trade or status
      message after it, or when it is a message of a book declared
      invalid ({"type":"book_invalid"}) before the next snapshot of that
      book the client got.  A book message of a book the client was told
      was conflated (a conflated frame, after which wsgate skips deltas by
      design) is announced too, and "conflated=" counts such books.  A
      redis_down frame announces a loss only if a redis_up frame follows
      it: if the last one is not, the gateway never came back, nothing
      after it is excused, and check says so on stderr and exits 1.  A
      window still open at the end (redis_up, then no trade or status
      message) covers only the seqs up to the last one the client got.
  seqcount.py takeover OUT
      for a standby taking over: prints "silence_ms= resync= after=":
      whether a status "resync" line came, the time from the message
      before it to it, and how many messages followed it.
"""
import asyncio
import json
import os
import re
import sys
import time

import websockets

SEQ = re.compile(rb'"seq":(\d+)')
BOOK = re.compile(rb'"venue":"([^"]+)","symbol":"([^"]+)"')


def book_key(b):
    m = BOOK.search(b)
    return (m.group(1) + b"." + m.group(2)).decode() if m else "?"


async def listen(url, out, ready, stop):
    async with websockets.connect(url, open_timeout=20, ping_interval=None,
                                  max_queue=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": ["md.*"]}))
        while True:
            m = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if m.get("type") == "subscribed":
                break
        open(ready, "w").close()
        with open(out, "w") as f:
            while not os.path.exists(stop):
                try:
                    m = await asyncio.wait_for(ws.recv(), 0.2)
                except asyncio.TimeoutError:
                    f.flush()   # for the test waiting for the last seq
                    continue
                b = m.encode() if isinstance(m, str) else m
                if b.startswith(b'{"type":"gap"'):
                    g = json.loads(b)
                    f.write("g %d %d\n" % (g["from"], g["lost"]))
                elif (b.startswith(b'{"type":"status"') and
                      b'"status":"resync"' in b):
                    f.write("r %s %d\n" % (SEQ.search(b).group(1).decode(),
                                            time.monotonic() * 1000))
                elif b.startswith(b'{"type":"conflated"'):
                    ch = json.loads(b)["channel"]
                    f.write("c %s\n" % ch.split(".", 1)[1].rsplit(".", 1)[0])
                elif b.startswith(b'{"type":"book_invalid"'):
                    ch = json.loads(b)["channel"]
                    f.write("i %s\n" % ch.split(".", 1)[1].rsplit(".", 1)[0])
                elif b.startswith(b'{"type":"gateway"'):
                    st = json.loads(b).get("status")
                    if st in ("redis_down", "redis_up"):
                        f.write(st[6] + "\n")
                else:
                    s = SEQ.search(b)
                    if b.startswith(b'{"type":"book_snapshot"'):
                        kind = "n"
                    elif b.startswith(b'{"type":"book_'):
                        kind = "b"
                    else:
                        kind = "s"
                    if s:
                        f.write("%s %s %d %s\n" % (
                            kind, s.group(1).decode(),
                            time.monotonic() * 1000,
                            book_key(b) if kind != "s" else "-"))


def check(jsonl, out):
    want = []       # (seq, book key or None)
    with open(jsonl, "rb") as f:
        for line in f:
            s = SEQ.search(line)
            if s and not line.startswith(b'{"type":"gap"'):
                want.append((int(s.group(1)),
                             book_key(line) if line.startswith(
                                 b'{"type":"book_') else None))
    got, ranges, seen_ms, books = {}, [], [], set()
    windows, invalid = {}, {}   # book key: [(from, to)], open window
    last, down_after, conflated, lastbook = 0, None, set(), {}
    up = True       # no redis_down frame, or a redis_up frame after it
    for ev in open(out).read().split("\n"):
        p = ev.split()
        if not p:
            continue
        if p[0] in ("s", "b", "n"):
            seq = int(p[1])
            got[seq] = got.get(seq, 0) + 1
            seen_ms.append(float(p[2]))
            if p[0] != "s":
                books.add(seq)
                lastbook[p[3]] = seq
            # wsgate may send books again from older seqs: the loss ends
            # at the first trade or status message after the reconnection
            if down_after is not None and p[0] == "s":
                ranges.append((down_after + 1, seq))
                down_after = None
            if down_after is None:
                last = seq
            # a book declared invalid lost everything up to its snapshot
            if p[0] == "n" and p[3] in invalid:
                windows.setdefault(p[3], []).append(
                    (invalid.pop(p[3]), seq + 1))
        elif p[0] == "g":
            ranges.append((int(p[1]), int(p[1]) + int(p[2])))
        elif p[0] == "d":
            down_after = last
            up = False
        elif p[0] == "u":
            up = True
        elif p[0] == "i":
            invalid.setdefault(p[1], last + 1)
        elif p[0] == "c":
            # the book's queued messages were dropped with it: those
            # after the last one the client got of that book
            conflated.add(p[1])
            windows.setdefault(p[1], []).append(
                (lastbook.get(p[1], 0) + 1, 1 << 62))
    # a loss window the stream ended in: after a redis_up frame, it holds
    # what came before the client's last message; with none, nothing
    if down_after is not None and up:
        ranges.append((down_after + 1, max(got, default=down_after) + 1))
    for k, a in invalid.items():
        windows.setdefault(k, []).append((a, 1 << 62))
    missing = [(s, k) for s, k in want if s not in got]
    unann = [s for s, k in missing
             if not any(a <= s < b for a, b in ranges) and
             not any(a <= s < b for a, b in windows.get(k, []))]
    dup = sum(n - 1 for s, n in got.items() if s not in books)
    replayed = sum(n - 1 for s, n in got.items() if s in books)
    gaps = [b - a for a, b in zip(seen_ms, seen_ms[1:])]
    print("received=%d missing=%d announced=%d unannounced=%d "
          "duplicated=%d replayed=%d maxgap_ms=%d conflated=%d" % (
              len(got), len(missing), len(missing) - len(unann),
              len(unann), dup, replayed, max(gaps) if gaps else 0,
              len(conflated)))
    if unann:
        print("unannounced seqs: %s" % unann[:20], file=sys.stderr)
    if not up:
        sys.exit("redis_down with no redis_up after it: the gateway did not "
                 "come back (last seq before it %d, %d published after it)" %
                 (last, sum(1 for s, k in want if s > last)))


def takeover(out):
    evs = [ln.split() for ln in open(out) if ln[:1] in "sbnr"]
    at = max((i for i, e in enumerate(evs) if e[0] == "r"), default=None)
    if at is None:
        print("silence_ms=0 resync=no after=0")
        return
    # the resync lines come first, so the silence ends at the first one
    first = at
    while first > 0 and evs[first - 1][0] == "r":
        first -= 1
    silence = float(evs[first][2]) - float(evs[first - 1][2]) if first else 0
    print("silence_ms=%d resync=yes after=%d" % (silence, len(evs) - at - 1))


def main():
    if sys.argv[1] == "listen":
        asyncio.run(listen(*sys.argv[2:6]))
    elif sys.argv[1] == "check":
        check(*sys.argv[2:4])
    elif sys.argv[1] == "takeover":
        takeover(sys.argv[2])
    else:
        sys.exit("seqcount.py listen|check ...")


if __name__ == "__main__":
    main()
