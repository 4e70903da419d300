#!/usr/bin/python3
"""mockex.py: a scripted mock exchange for the collector's venue tests.

One TLS server (Python websockets 10, the Debian package) that speaks
WebSocket on every path and answers plain HTTPS GETs under /api/ (the REST
snapshots) from a queue.  What it does is read from a script, one command
a line ('#' comments):

  conn                 start the script of the next client connection
  expect N             wait until this connection has sent N messages
  send TEXT            send TEXT as one text message (verbatim)
  sleep SECS           pause
  waitrest N           wait until N REST requests have arrived
  raw HEX              write the bytes HEX on the connection as they are
                       (a frame against RFC 6455, say), past the library
  close [CODE [REASON]]    close the connection with CODE (default 1000)
                       and REASON, Python escapes (\x1b, \u00e9) decoded
  drop                 cut the TCP connection without a close frame
  repeat SECS N TEXT   send TEXT every 0.2 s for SECS s (heartbeats), with
                       @N@ in TEXT replaced by N, N+1, ...
  flood COUNT N PAD TEXT   send TEXT COUNT times back to back, @N@ replaced
                       by N, N+1, ... and @PAD@ by PAD bytes of 'x'
  rest DELAY STATUS BODY   queue a REST answer, sent DELAY s after its
                       request (the last one repeats when the queue ends);
                       429 has "Retry-After: 1", 429:N "Retry-After: N"
  replay FILE [SPEED]  send every `recv` frame of a recorded capture FILE
                       (tests/fixtures/venues/README.md; .xz is read
                       compressed), in order and with its exact text, at
                       SPEED times the recorded pace (`max`, the default:
                       back to back); then log "C<n> replayed N frames"
  replace OLD NEW      in the frames of the `replay` commands after it on
                       this connection, every OLD (no spaces) replaced by
                       NEW: a recorded topic renamed, say
  restreplay FILE      answer REST GETs from the `rest` records of capture
                       FILE: the record whose URL has the request's path and
                       symbol (instId, pair) parameter, else 404; several
                       for one symbol are served in turn, the last repeats

A connection whose script ends stays open (it answers pings) until the
client goes; connections beyond the scripted ones just stay open.
Everything received is logged to --log: "C<n> open", "C<n> recv TEXT",
"C<n> closed", "R<n> GET PATH".  --port-file receives the port once the
server listens.
"""
import argparse
import asyncio
import http
import json
import lzma
import ssl
import sys
import urllib.parse

import websockets
import websockets.legacy.server as wsserver


def capture_records(path):
    """The records of a capture file (one JSON object a line), in order."""
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rest_key(url):
    """(path, symbol) of a REST URL: what a recorded body is served for."""
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qs(u.query)
    for name in ("symbol", "instId", "pair"):
        if name in q:
            return (u.path, q[name][0])
    return (u.path, None)


class Mock:
    def __init__(self, script, log):
        self.conns = []
        self.rest = []
        self.log = open(log, "a", buffering=1, errors="backslashreplace")
        self.nconn = 0
        self.nrest = 0
        self.rest_event = asyncio.Event()
        self.recorded = {}          # rest_key -> [bodies], from restreplay
        self.served = {}            # rest_key -> answers given
        cur = None
        repl = []                   # (old, new) of this conn's replays
        for raw in open(script, encoding="utf-8"):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word == "conn":
                cur = []
                repl = []
                self.conns.append(cur)
            elif word == "replace":
                if cur is None:
                    sys.exit("mockex: %r before conn" % line)
                old, new = rest.split(" ")
                repl.append((old, new))
            elif word == "rest":
                delay, status, body = rest.split(" ", 2)
                self.rest.append((float(delay), status, body))
            elif word == "restreplay":
                for r in capture_records(rest):
                    if r.get("t") == "rest":
                        k = rest_key(r["url"])
                        self.recorded.setdefault(k, []).append(r["text"])
            elif word == "replay":
                if cur is None:
                    sys.exit("mockex: %r before conn" % line)
                f, _, speed = rest.partition(" ")
                frames = [(r.get("ts"), r["text"])
                          for r in capture_records(f) if r.get("t") == "recv"]
                for old, new in repl:
                    frames = [(ts, t.replace(old, new)) for ts, t in frames]
                speed = float(speed) if speed not in ("", "max") else 0
                cur.append((word, (frames, speed)))
            else:
                if cur is None:
                    sys.exit("mockex: %r before conn" % line)
                cur.append((word, rest))

    def note(self, text):
        self.log.write(text + "\n")

    async def process_request(self, path, headers):
        if not path.startswith("/api/"):
            return None
        self.nrest += 1
        n = self.nrest
        self.note("R%d GET %s" % (n, path))
        self.rest_event.set()
        if self.recorded:
            k = rest_key(path)
            bodies = self.recorded.get(k)
            if bodies is None:
                return (http.HTTPStatus(404), [], b"not recorded\n")
            i = self.served.get(k, 0)
            self.served[k] = i + 1
            return (http.HTTPStatus(200),
                    [("Content-Type", "application/json")],
                    bodies[min(i, len(bodies) - 1)].encode())
        if not self.rest:
            return (http.HTTPStatus(404), [], b"no REST script\n")
        delay, status, body = self.rest[min(n, len(self.rest)) - 1]
        await asyncio.sleep(delay)
        hdrs = [("Content-Type", "application/json")]
        status, _, ra = status.partition(":")
        if int(status) == 429:
            hdrs.append(("Retry-After", ra or "1"))
        return (http.HTTPStatus(int(status)), hdrs, body.encode())

    async def replay(self, ws, n, frames, speed):
        """Sends recorded frames, back to back or at their pace / speed."""
        loop = asyncio.get_event_loop()
        start = loop.time()
        t0 = next((ts for ts, _ in frames if ts is not None), None)
        for ts, text in frames:
            if speed and ts is not None and t0 is not None:
                delay = start + (ts - t0) / speed - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            await ws.send(text)
        self.note("C%d replayed %d frames" % (n, len(frames)))

    async def handler(self, ws, path=None):
        self.nconn += 1
        n = self.nconn
        self.note("C%d open %s" % (n, ws.path))
        received = []
        got = asyncio.Event()

        async def reader():
            try:
                async for m in ws:
                    received.append(m)
                    self.note("C%d recv %s" % (n, m))
                    if m == "ping":
                        await ws.send("pong")
                    got.set()
            except websockets.ConnectionClosed:
                pass

        rtask = asyncio.ensure_future(reader())
        script = self.conns[n - 1] if n <= len(self.conns) else []
        try:
            for word, arg in script:
                if word == "expect":
                    want = int(arg)
                    while len(received) < want:
                        got.clear()
                        await asyncio.wait_for(got.wait(), 30)
                elif word == "send":
                    await ws.send(arg)
                elif word == "sleep":
                    await asyncio.sleep(float(arg))
                elif word == "waitrest":
                    while self.nrest < int(arg):
                        self.rest_event.clear()
                        await asyncio.wait_for(self.rest_event.wait(), 30)
                elif word == "raw":
                    ws.transport.write(bytes.fromhex(arg))
                elif word == "close":
                    code, _, reason = arg.partition(" ")
                    reason = reason.encode("ascii").decode("unicode_escape")
                    await ws.close(int(code or 1000), reason)
                    break
                elif word == "drop":
                    ws.transport.abort()
                    break
                elif word == "repeat":
                    secs, k, text = arg.split(" ", 2)
                    k = int(k)
                    end = asyncio.get_event_loop().time() + float(secs)
                    while asyncio.get_event_loop().time() < end:
                        await ws.send(text.replace("@N@", str(k)))
                        k += 1
                        await asyncio.sleep(0.2)
                elif word == "flood":
                    count, k, pad, text = arg.split(" ", 3)
                    text = text.replace("@PAD@", "x" * int(pad))
                    for i in range(int(count)):
                        await ws.send(text.replace("@N@", str(int(k) + i)))
                    self.note("C%d flooded %s messages" % (n, count))
                elif word == "replay":
                    await self.replay(ws, n, *arg)
                else:
                    sys.exit("mockex: unknown command %r" % word)
            await rtask
        except (websockets.ConnectionClosed, asyncio.TimeoutError) as e:
            self.note("C%d error %r" % (n, e))
        finally:
            rtask.cancel()
            self.note("C%d closed" % n)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    mock = Mock(a.script, a.log)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    server = await wsserver.serve(mock.handler, "127.0.0.1", 0, ssl=ctx,
                                  process_request=mock.process_request,
                                  ping_interval=None, max_size=None)
    port = server.sockets[0].getsockname()[1]
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
