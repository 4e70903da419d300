#!/usr/bin/python3
"""cl.py: a few Redis Cluster chores for tests/t-redis-cluster-sharded.sh,
over a raw RESP socket (no client library is installed).

  cl.py slots PORT CHANNEL...      "CHANNEL SLOT OWNERPORT" per channel,
                                   from the node's own CLUSTER KEYSLOT and
                                   CLUSTER SLOTS
  cl.py sub PORT OUT [--asking] CHANNEL...
                                   SSUBSCRIBE on the node, in RESP3 (after
                                   ASKING with --asking: accepted by a
                                   node importing the slot);
                                   "ready" on stdout once every channel is
                                   acknowledged; then "CHANNEL SEQ" per
                                   message and "UNSUB CHANNEL" per
                                   SUNSUBSCRIBE the node pushes, to OUT
  cl.py begin SRC DST SLOT         IMPORTING on DST, MIGRATING on SRC
  cl.py end SRC DST SLOT PORT...   the slot's keys MIGRATEd, then SETSLOT
                                   NODE on DST, SRC and the other PORTs
  cl.py setslot DST SLOT PORT...   SETSLOT NODE (DST's ID) on each PORT
"""
import json
import socket
import sys


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", int(port)), 5)
        self.f = self.s.makefile("rb")

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))

    def read(self):
        line = self.f.readline()
        if not line:
            raise EOFError("connection closed")
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-"):
            if t == b"-":
                return RuntimeError(rest.decode())
            return rest.decode()
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t in (b"*", b">", b"~"):
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == b"%":
            return [self.read() for _ in range(2 * int(rest))]
        if t == b"_":
            return None
        raise ValueError("bad reply %r" % line)

    def call(self, *args):
        self.send(*args)
        r = self.read()
        if isinstance(r, RuntimeError):
            raise r
        return r


def slots(port, chans):
    c = Conn(port)
    owner = {}
    for rng in c.call("CLUSTER", "SLOTS"):
        for s in range(rng[0], rng[1] + 1):
            owner[s] = rng[2][1]
    for ch in chans:
        s = c.call("CLUSTER", "KEYSLOT", ch)
        print(ch, s, owner.get(s, 0))


def sub(port, out, args):
    c = Conn(port)
    c.s.settimeout(None)
    # RESP3, where ASKING may come between subscriptions
    c.call("HELLO", "3")
    asking = args and args[0] == "--asking"
    if asking:
        args = args[1:]
    want = len(args)
    for ch in args:  # one by one: one SSUBSCRIBE may not span slots
        if asking:
            c.send("ASKING")
            while True:  # the acknowledgements are pushes: skip them
                r = c.read()
                if r == "OK":
                    break
                if isinstance(r, RuntimeError):
                    raise r
                want -= 1
        c.send("SSUBSCRIBE", ch)
    if want == 0:
        print("ready", flush=True)
    with open(out, "a") as f:
        while True:
            r = c.read()
            if isinstance(r, RuntimeError):
                print("error:", r, file=sys.stderr)
                sys.exit(1)
            kind = r[0]
            if kind == "ssubscribe":
                want -= 1
                if want == 0:
                    print("ready", flush=True)
            elif kind == "smessage":
                seq = json.loads(r[2]).get("seq")
                f.write("%s %s\n" % (r[1], seq))
                f.flush()
            elif kind == "sunsubscribe":
                f.write("UNSUB %s\n" % r[1])
                f.flush()


def node_id(port):
    return Conn(port).call("CLUSTER", "MYID")


def begin(src, dst, slot):
    Conn(dst).call("CLUSTER", "SETSLOT", slot, "IMPORTING", node_id(src))
    Conn(src).call("CLUSTER", "SETSLOT", slot, "MIGRATING", node_id(dst))


def end(src, dst, slot, others):
    s = Conn(src)
    while True:
        keys = s.call("CLUSTER", "GETKEYSINSLOT", slot, 100)
        if not keys:
            break
        s.call("MIGRATE", "127.0.0.1", dst, "", 0, 5000, "KEYS", *keys)
    setslot(dst, slot, [dst, src] + others)


def setslot(dst, slot, ports):
    did = node_id(dst)
    for p in ports:
        Conn(p).call("CLUSTER", "SETSLOT", slot, "NODE", did)


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "slots":
        slots(a[0], a[1:])
    elif cmd == "sub":
        sub(a[0], a[1], a[2:])
    elif cmd == "begin":
        begin(a[0], a[1], a[2])
    elif cmd == "end":
        end(a[0], a[1], a[2], a[3:])
    elif cmd == "setslot":
        setslot(a[0], a[1], a[2:])
    else:
        sys.exit("cl.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
