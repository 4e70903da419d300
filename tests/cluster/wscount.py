#!/usr/bin/python3
"""wscount.py: the WebSocket clients of tests/t-wsgate-cluster-sharded.sh.

  wscount.py listen URL OUT READY STOP [--hz N] CHANNEL...
      subscribes to the exact CHANNELs (conflated at N a second with --hz) on wsgate at URL (python3-websockets,
      not tickpipe's code), touches READY once they are subscribed, and
      writes what it gets to OUT, one event a line, until STOP exists:
      "m CHANNEL SEQ" (a message, live or from the late-joiner keys; each
      trade of a conflated batch),
      "d CHANNEL REASON" and "u CHANNEL REASON" (the gateway's redis_down
      and redis_up frames; CHANNEL "*" when the frame names none),
      "i CHANNEL" (book_invalid), "e REASON" (an error frame).
  wscount.py pattern URL
      subscribes to the pattern md.* and prints the reason of the error
      frame it gets ("no error" if it is subscribed instead).
  wscount.py channels URL
      asks for the known channels ({"op":"channels"}) and prints how many
      there are, or the error.
  wscount.py check JSONL OUT
      per channel, the seqs received against the lines published (JSONL,
      channel md.VENUE.SYMBOL.trade or .book): each message must be the
      one after the message before it, unless a redis_down or book_invalid
      frame for the channel (or for all) came in between: the lines
      skipped there are "announced", any other skip "unannounced", a seq
      not after the one before (without such a frame) "duplicated", and
      the last line of each channel must arrive unless announced.  A run
      of seqs already received that starts right after such a frame
      (redispub(1) sends again, at least once, what a lost node had not
      answered) is "redelivered", counted apart and not a fault; the seq
      after the run must follow the highest one received.  Prints
      "channels= received= announced= unannounced= duplicated= downs=
      redelivered=" and the channels with a fault on stderr; exits 1 if
      there is one.
"""
import asyncio
import json
import os
import sys

import websockets


def channel(m):
    kind = "trade" if m["type"] == "trade" else "book"
    return "md.%s.%s.%s" % (m["venue"], m["symbol"], kind)


async def listen(url, out, ready, stop, chans):
    req = {"op": "subscribe", "channels": chans}
    if chans[:1] == ["--hz"]:
        req = {"op": "subscribe", "channels": chans[2:],
               "max_hz": int(chans[1])}
    async with websockets.connect(url, open_timeout=20, ping_interval=None,
                                  max_queue=None) as ws:
        await ws.send(json.dumps(req))
        with open(out, "w") as f:
            pending = True
            while not os.path.exists(stop):
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.2)
                except asyncio.TimeoutError:
                    f.flush()
                    continue
                m = json.loads(raw)
                t = m.get("type")
                if t == "subscribed" and pending:
                    pending = False
                    open(ready, "w").close()
                elif t == "gateway":
                    f.write("%s %s %s\n" % (
                        "d" if m["status"] == "redis_down" else "u",
                        m.get("channel", "*"),
                        m.get("reason", "").replace(" ", "_")))
                    f.flush()   # the tests time the failover by these
                elif t == "book_invalid":
                    f.write("i %s\n" % m["channel"])
                elif t == "error":
                    f.write("e %s\n" % m.get("reason", "").replace(" ", "_"))
                elif t == "trades":     # conflated: a batch
                    for tr in m["trades"]:
                        f.write("m %s %d\n" % (m["channel"], tr["seq"]))
                elif "seq" in m and "venue" in m:
                    f.write("m %s %d\n" % (channel(m), m["seq"]))


async def pattern(url):
    async with websockets.connect(url, open_timeout=20) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": ["md.*"]}))
        while True:
            m = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if m.get("type") == "error":
                print(m.get("reason"))
                return
            if m.get("type") == "subscribed":
                print("no error")
                return


async def channels(url):
    async with websockets.connect(url, open_timeout=20) as ws:
        await ws.send(json.dumps({"op": "channels"}))
        while True:
            m = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if m.get("type") == "channels":
                print(len(m["channels"]))
                return
            if m.get("type") == "error":
                print(m.get("reason"))
                return


def check(jsonl, out):
    want = {}
    for line in open(jsonl):
        m = json.loads(line)
        want.setdefault(channel(m), []).append(m["seq"])
    pos = {ch: -1 for ch in want}
    ann = {ch: False for ch in want}
    where = {ch: dict((s, i) for i, s in enumerate(v))
             for ch, v in want.items()}
    received = announced = unannounced = dups = downs = redelivered = 0
    redelivering = {ch: False for ch in want}
    faults = {}
    for line in open(out):
        f = line.split()
        if f[0] in ("d", "i"):
            downs += f[0] == "d"
            for ch in (want if f[1] == "*" else [f[1]]):
                if ch in ann:
                    ann[ch] = True
            continue
        if f[0] != "m":
            continue
        ch, seq = f[1], int(f[2])
        received += 1
        i = where.get(ch, {}).get(seq)
        if i is None:
            faults.setdefault(ch, []).append("seq %d never published" % seq)
            continue
        if (ann[ch] or redelivering[ch]) and i <= pos[ch]:
            redelivered += 1
            redelivering[ch] = True
            ann[ch] = False
            continue
        redelivering[ch] = False
        if ann[ch]:
            if i > pos[ch] + 1:
                announced += i - pos[ch] - 1
            ann[ch] = False
        elif i <= pos[ch]:
            dups += 1
            faults.setdefault(ch, []).append("seq %d again" % seq)
            continue
        elif i > pos[ch] + 1:
            unannounced += i - pos[ch] - 1
            faults.setdefault(ch, []).append(
                "seqs %s lost before %d" % (want[ch][pos[ch] + 1:i][:5], seq))
        pos[ch] = i
    for ch, v in want.items():
        if pos[ch] < len(v) - 1 and not ann[ch]:
            unannounced += len(v) - 1 - pos[ch]
            faults.setdefault(ch, []).append(
                "the last %d lines never came" % (len(v) - 1 - pos[ch]))
    for ch, why in sorted(faults.items()):
        print("%s: %s" % (ch, "; ".join(why[:3])), file=sys.stderr)
    print("channels=%d received=%d announced=%d unannounced=%d duplicated=%d "
          "downs=%d redelivered=%d" % (len(want), received, announced,
                                       unannounced, dups, downs, redelivered))
    return 1 if faults else 0


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "listen":
        try:
            asyncio.run(listen(a[0], a[1], a[2], a[3], a[4:]))
        except websockets.ConnectionClosed:
            pass    # wsgate stopped: the test is ending
    elif cmd == "pattern":
        asyncio.run(pattern(a[0]))
    elif cmd == "channels":
        asyncio.run(channels(a[0]))
    elif cmd == "check":
        sys.exit(check(a[0], a[1]))
    else:
        sys.exit("wscount.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
