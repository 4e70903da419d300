#!/usr/bin/python3
"""refused.py: channels Redis refuses cost only the client that asks
(tests/t-wsgate-refused-channel*.sh).

  refused.py URL PUBPORT PUBCMD OK ALSO REFUSED [--rounds R] [--count N]
      [--rate HZ]

Client A subscribes to channel OK and waits for its answer; then a
publisher sends N messages {"type":"trade",...,"seq":1..N} on OK at HZ a
second with PUBCMD (PUBLISH, or SPUBLISH, following -MOVED) to the Redis
at 127.0.0.1:PUBPORT.  Meanwhile client B, R times, subscribes to the
comma-separated REFUSED names (channels or patterns Redis refuses to
wsgate) and to ALSO (one it allows), in one request: each time it must
get, before the answer, an error frame per refused name whose reason
starts with "NAME: refused by Redis:" and holds "NOPERM", then the answer
{"type":"subscribed"} listing ALSO alone; then a message published on
ALSO must reach it.  A must get seq 1..N, each once, in order, and
neither client a "gateway" frame (redis_down): the first one fails at
once.  Prints a summary; exit 1 with the reason on stderr otherwise.
"""
import argparse
import asyncio
import json
import socket
import sys
import threading
import time

import websockets

from rpub import resp


def die(msg):
    print("refused.py: " + msg, file=sys.stderr)
    sys.exit(1)


class Pub:
    """PUBLISH or SPUBLISH on one connection, following -MOVED."""

    def __init__(self, port, cmd):
        self.cmd = cmd
        self.connect(port)

    def connect(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.f = self.s.makefile("rb")

    def publish(self, chan, msg):
        for _ in range(3):
            self.s.sendall(resp(self.cmd, chan, msg))
            line = self.f.readline()
            if line.startswith(b":"):
                return int(line[1:])
            if line.startswith(b"-MOVED "):
                self.s.close()
                self.connect(int(line.split()[2].rsplit(b":", 1)[1]))
                continue
            raise OSError("publish: %r" % line)
        raise OSError("publish: moved again and again")


def publisher(a, errs):
    try:
        p = Pub(a.pubport, a.pubcmd)
        t0 = time.monotonic()
        for i in range(a.count):
            d = t0 + i / a.rate - time.monotonic()
            if d > 0:
                time.sleep(d)
            p.publish(a.ok, '{"type":"trade","venue":"t","symbol":"T",'
                      '"seq":%d}' % (i + 1))
    except OSError as e:
        errs.append(str(e))


async def recv_json(ws, timeout=15):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def client_a(a, ready, out):
    async with websockets.connect(a.url, open_timeout=20) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": [a.ok]}))
        while True:
            m = await recv_json(ws)
            if m.get("type") == "gateway":
                out["err"] = "A: %s" % json.dumps(m)
                return
            if m.get("type") == "subscribed":
                break
        ready.set()
        want = 1
        end = time.monotonic() + a.count / a.rate + 20
        while want <= a.count:
            try:
                m = await recv_json(ws, max(end - time.monotonic(), 0.01))
            except asyncio.TimeoutError:
                out["err"] = "A: timed out waiting for seq %d" % want
                return
            if m.get("type") == "gateway":
                out["err"] = "A, at seq %d: %s" % (want, json.dumps(m))
                return
            if m.get("type") != "trade":
                continue
            if m["seq"] != want:
                out["err"] = "A: seq %d where %d was due" % (m["seq"], want)
                return
            want += 1
        out["got"] = want - 1


async def client_b(a, out):
    refused = a.refused.split(",")
    async with websockets.connect(a.url, open_timeout=20) as ws:
        for r in range(a.rounds):
            out["rounds"] = r
            await ws.send(json.dumps({"op": "subscribe",
                                      "channels": refused + [a.also]}))
            errors = []
            while True:
                m = await recv_json(ws)
                t = m.get("type")
                if t == "gateway":
                    out["err"] = "B round %d: %s" % (r, json.dumps(m))
                    return
                if t == "error":
                    errors.append(m["reason"])
                elif t == "subscribed":
                    break
            if m["channels"] != [a.also]:
                out["err"] = "B round %d: subscribed %r" % (r, m["channels"])
                return
            for name in refused:
                pre = name + ": refused by Redis:"
                if not any(e.startswith(pre) and "NOPERM" in e
                           for e in errors):
                    out["err"] = "B round %d: no error for %s: %r" % (
                        r, name, errors)
                    return
            out["errors"] += len(errors)
            # ALSO works for B: a message published now reaches it
            p = Pub(a.pubport, a.pubcmd)
            p.publish(a.also, '{"type":"trade","seq":%d}' % (r + 1))
            while True:
                m = await recv_json(ws)
                if m.get("type") == "gateway":
                    out["err"] = "B round %d: %s" % (r, json.dumps(m))
                    return
                if m.get("type") == "trade" and m.get("seq") == r + 1:
                    break
            await asyncio.sleep(0.2)
        out["rounds"] = a.rounds


async def main(a):
    oa = {"err": None, "got": 0}
    ob = {"err": None, "errors": 0, "rounds": 0}
    ready = asyncio.Event()
    ta = asyncio.create_task(client_a(a, ready, oa))
    await asyncio.wait_for(asyncio.wait([ta, asyncio.create_task(
        ready.wait())], return_when=asyncio.FIRST_COMPLETED), 20)
    if not ready.is_set():
        await ta
        return oa["err"] or "A: no answer"
    errs = []
    th = threading.Thread(target=publisher, args=(a, errs), daemon=True)
    th.start()
    try:
        await client_b(a, ob)
    except (asyncio.TimeoutError, websockets.exceptions.WebSocketException,
            OSError) as e:
        ob["err"] = "B round %d: %s" % (ob["rounds"], "no answer in 15 s"
                                        if isinstance(e, asyncio.TimeoutError)
                                        else repr(e))
    if ob["err"]:
        return ob["err"]
    await ta
    th.join(30)
    if errs:
        return "publisher: " + errs[0]
    if oa["err"]:
        return oa["err"]
    print("A got seq 1..%d in order; B %d rounds, %d error frames, its "
          "answers without the refused names" % (oa["got"], ob["rounds"],
                                                 ob["errors"]))
    return None


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("pubport", type=int)
    p.add_argument("pubcmd")
    p.add_argument("ok")
    p.add_argument("also")
    p.add_argument("refused")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--count", type=int, default=12000)
    p.add_argument("--rate", type=float, default=3000)
    a = p.parse_args()
    try:
        err = asyncio.run(asyncio.wait_for(main(a), a.count / a.rate + 60))
    except asyncio.TimeoutError:
        err = "timed out"
    if err:
        die(err)
