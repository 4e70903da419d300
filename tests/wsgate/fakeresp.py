#!/usr/bin/python3
"""fakeresp.py: a Redis that answers wsgate's commands, then misbehaves
on its subscriber connection, for the tests of what wsgate does with a
Redis that is slow, silent or past a bound (tests/t-wsgate-redis-*.sh).

  fakeresp.py PORT READY MODE

Listens on 127.0.0.1:PORT and touches READY once it does.  AUTH,
SELECT, PING, (P)(UN)SUBSCRIBE, GET, SMEMBERS and the like are answered
as Redis would (keys empty).  Once a channel beginning "md." is
SUBSCRIBEd (the first time only; later connections are served plainly
but in garbage mode), that connection gets, after the confirmation (the
last modes, flap, slip, slowread(full) and burst, misbehave otherwise):

  trickle  a message (seq 1) sent 16 bytes every 0.25 s, about 5 s in
           all, then one (seq 2) at once, then nothing: nothing more is
           answered on it, PINGs included
  readhang the key reads (MULTI, GET, GETRANGE, SMEMBERS) are never
           answered, nor anything after them on that connection; the
           subscriber gets 40 quotes (seq 1..40), one every 0.2 s, then
           nothing
  bulk     a message whose payload is announced as 2^40 bytes, then
           300 MiB of it as fast as they are taken (or until wsgate
           closes), then nothing
  array    a reply of 1000000000 elements, then 300 MiB of ":1"
           elements the same way, then nothing
  garbage  "!garbage" (no RESP type) at once, then the connection
           closed; from then on every connection gets the same right
           after the answer to its next command (a new one's first): a
           Redis that answers, then breaks each connection
  flap     each (S)SUBSCRIBE of an "md." channel is, in turn, taken and
           the channel dropped at once (an (s)unsubscribe pushed, as a
           node whose slot moved), then refused with an error that
           passes (-LOADING, -TRYAGAIN), each refusal said on stderr;
           CLUSTER SLOTS names this one node for every slot, so that
           it serves a cluster:// URL too: a Redis that takes a
           subscription once, then fails it
  slip     as flap, but each (S)SUBSCRIBE is taken and the channel
           dropped at once, never refused, each said on stderr
           ("taken"): a node whose slot moves away again and again
  slowread the EXEC of a book's key read (channel "md.f.X.book") is
           answered 1 s late, with snapshot seq 10 and delta 11; before
           it the subscriber gets deltas 12, of 6 KB, and 13 (live
           messages while the keys are read), after it snapshot 20 and
           delta 21
  slowreadfull
           the same, but delta 12 is short and delta 13 padded so that
           the two make 8 MiB and one byte (a conflator's hold, wsgate(1)
           Conflation): 13 is one byte more than the room 12 leaves
  burst    0.5 s after the SUBSCRIBE of "md.f.X.book", snapshot seq 1
           and deltas 2 to 49, about 240 bytes each, in one write (14 KB,
           one read of wsgate's, 16 KB); 1 s later snapshot 100; the
           key reads are answered as for no keys

Each connection accepted and each misbehaviour begun is said on stderr.
"""
import os
import socket
import sys
import threading
import time

# the command reader of the redispub tests' fake
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "redispub"))
from fakeredis import commands  # noqa: E402

lock = threading.Lock()
attacked = [False]


def log(*a):
    print("fakeresp:", *a, file=sys.stderr, flush=True)


def bulk(b):
    if isinstance(b, str):
        b = b.encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)


def message(ch, seq, quote=False):
    if quote:
        p = ('{"type":"quote","venue":"f","symbol":"X","seq":%d,"ts":1,'
             '"recv":1,"bids":[["99","1"]],"asks":[["101","1"]]}' % seq)
    else:
        p = ('{"type":"trade","venue":"f","symbol":"X","seq":%d,"px":"1",'
             '"qty":"1","side":"buy","ts":1,"recv":1,"pad":"%s"}' %
             (seq, "x" * 200))
    return b"*3\r\n" + bulk("message") + bulk(ch) + bulk(p)


flapped = {}


def flap(args, subs, port, mode):
    """mode flap's (or slip's) answer to args, or None to answer as Redis
    would."""
    c = args[0].upper()
    if c == b"CLUSTER" and args[1:2] in ([b"SLOTS"], [b"slots"]):
        return (b"*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n" +
                bulk("127.0.0.1") + b":%d\r\n" % port + bulk("f" * 40))
    if c not in (b"SUBSCRIBE", b"SSUBSCRIBE") or \
            not args[1].startswith(b"md."):
        return None
    with lock:
        refuse = mode == "flap" and flapped.get(args[1], False)
        flapped[args[1]] = not refuse
    if refuse:
        log("refused", args[1].decode())
        return b"-TRYAGAIN flapping\r\n" if c == b"SSUBSCRIBE" else \
            b"-LOADING flapping\r\n"
    if mode == "slip":
        log("taken", args[1].decode())
    k = c.lower()
    return (b"*3\r\n" + bulk(k) + bulk(args[1]) + b":%d\r\n" %
            (len(subs) + 1) + b"*3\r\n" + bulk(k[:-9] + b"unsubscribe") +
            bulk(args[1]) + b":%d\r\n" % len(subs))


subscriber = [None]
sending = threading.Lock()


def book(typ, seq, levels=1, pad=0):
    return ('{"type":"%s","venue":"f","symbol":"X","seq":%d,"vseq":%d,'
            '"ts":1,"recv":1,"bids":[%s],"asks":[["101","1"]]%s}' %
            (typ, seq, seq, ",".join('["%d.5","1"]' % (99 - i)
                                     for i in range(levels)),
             ',"pad":"%s"' % ("x" * pad) if pad else ""))


def slowread(s, args, mode):
    """modes slowread(full): what it does on s for args; False if nothing."""
    c = args[0].upper()
    ch = b"md.f.X.book"
    if c == b"SUBSCRIBE" and args[1] == ch:
        subscriber[0] = s
        return False
    if c != b"EXEC" or subscriber[0] is None:
        return False
    if mode == "slowreadfull":
        d12 = book("book_delta", 12)
        room = (8 << 20) - len(d12)
        d13 = book("book_delta", 13)
        d13 = book("book_delta", 13, pad=room + 1 - len(d13 + ',"pad":""'))
        assert len(d13) == room + 1
    else:
        d12, d13 = book("book_delta", 12, 400), book("book_delta", 13)
    with sending:
        subscriber[0].sendall(b"*3\r\n" + bulk("message") + bulk(ch) +
                              bulk(d12) +
                              b"*3\r\n" + bulk("message") + bulk(ch) +
                              bulk(d13))
    log("held", len(d12), len(d13))
    time.sleep(1)
    with sending:
        s.sendall(b"*2\r\n" + bulk(book("book_snapshot", 10)) +
                  bulk(book("book_delta", 11) + "\n"))
    time.sleep(0.5)
    with sending:
        subscriber[0].sendall(b"*3\r\n" + bulk("message") + bulk(ch) +
                              bulk(book("book_snapshot", 20)) +
                              b"*3\r\n" + bulk("message") + bulk(ch) +
                              bulk(book("book_delta", 21)))
    log("live")
    return True


def burst(s):
    """mode burst, on the subscriber s of md.f.X.book."""
    ch = b"md.f.X.book"
    msgs = [book("book_snapshot", 1)] + \
        [book("book_delta", i, 10) for i in range(2, 50)]
    time.sleep(0.5)
    with sending:
        s.sendall(b"".join(b"*3\r\n" + bulk("message") + bulk(ch) + bulk(m)
                           for m in msgs))
    log("burst", sum(len(m) for m in msgs))
    time.sleep(1)
    with sending:
        s.sendall(b"*3\r\n" + bulk("message") + bulk(ch) +
                  bulk(book("book_snapshot", 100)))
    log("live")


def answer(args, subs):
    c = args[0].upper()
    if c in (b"SUBSCRIBE", b"PSUBSCRIBE", b"UNSUBSCRIBE", b"PUNSUBSCRIBE"):
        if c in (b"SUBSCRIBE", b"PSUBSCRIBE"):
            subs.add(args[1])
        else:
            subs.discard(args[1])
        return (b"*3\r\n" + bulk(c.lower()) + bulk(args[1]) +
                b":%d\r\n" % len(subs))
    if c == b"PING":
        return b"*2\r\n" + bulk("pong") + bulk("") if subs else b"+PONG\r\n"
    if c in (b"GET", b"GETRANGE"):
        return b"$-1\r\n"
    if c == b"SMEMBERS":
        return b"*0\r\n"
    if c == b"EXEC":
        return b"*-1\r\n"
    if c == b"INFO":
        return bulk("# Server\r\nrun_id:%s\r\n" % ("0" * 40))
    return b"+OK\r\n"


def attack(s, mode, ch):
    log("attack", mode)
    if mode == "garbage":
        s.sendall(b"!garbage\r\n")
        return
    if mode == "readhang":
        for i in range(1, 41):
            s.sendall(message(ch, i, quote=True))
            time.sleep(0.2)
        log("silent")
        while s.recv(65536):
            pass
        return
    if mode == "trickle":
        m = message(ch, 1)
        for i in range(0, len(m), 16):
            s.sendall(m[i:i + 16])
            time.sleep(0.25)
        s.sendall(message(ch, 2))
        log("silent")
        while s.recv(65536):
            pass
        return
    if mode == "bulk":
        s.sendall(b"*3\r\n" + bulk("message") + bulk(ch) +
                  b"$%d\r\n" % (1 << 40))
        chunk = b"a" * 65536
    else:
        s.sendall(b"*1000000000\r\n")
        chunk = b":1\r\n" * 16384
    try:
        for _ in range((300 << 20) // len(chunk)):
            s.sendall(chunk)
        log("silent")
        while s.recv(65536):
            pass
    except OSError as e:
        log("closed:", e)


def serve(s, mode, port):
    buf, subs, hung = b"", set(), False
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return
            cmds, buf = commands(buf + b)
            for args in cmds:
                if mode == "readhang" and args[0].upper() in (
                        b"MULTI", b"GET", b"GETRANGE", b"SMEMBERS"):
                    if not hung:
                        log("read hangs")
                    hung = True
                if hung:
                    continue
                a = flap(args, subs, port, mode) if mode in ("flap", "slip") \
                    else None
                if mode.startswith("slowread") and slowread(s, args, mode):
                    continue
                if mode == "burst" and args[0].upper() == b"EXEC":
                    a = b"*2\r\n$-1\r\n$0\r\n\r\n"    # no keys
                with sending:
                    s.sendall(a if a is not None else answer(args, subs))
                if mode == "burst" and args[0].upper() == b"SUBSCRIBE" and \
                        args[1] == b"md.f.X.book":
                    threading.Thread(target=burst, args=(s,),
                                     daemon=True).start()
                if mode == "garbage" and attacked[0]:
                    attack(s, mode, b"")
                    return
                if args[0].upper() == b"SUBSCRIBE" and \
                        args[1].startswith(b"md.") and \
                        mode not in ("flap", "slip", "slowread",
                                     "slowreadfull", "burst"):
                    with lock:
                        go, attacked[0] = not attacked[0], True
                    if go:
                        attack(s, mode, args[1])
                        return
    except OSError:
        pass
    finally:
        s.close()


def main():
    port, ready, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    open(ready, "w").close()
    while True:
        s, _ = ls.accept()
        log("accepted")
        threading.Thread(target=serve, args=(s, mode, port), daemon=True).start()


main()
