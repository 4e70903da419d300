#!/usr/bin/python3
"""fakeredis.py: a Redis that answers redispub's handshake, then
misbehaves, for the tests of what redispub does with a server that
breaks the protocol (tests/t-redispub-*.sh).

  fakeredis.py PORT READY MODE [N]

Listens on 127.0.0.1:PORT and touches READY once it does.  PING, ROLE
(a primary), CLIENT (ID, LIST, SETNAME, KILL) and the like are answered
as Redis would.
Every other command, of the first N connections (default: all):

  huge     answered "$1000000000" and 300 MiB of the string it
           announces, then nothing: a reply past any bound
  garbage  answered "!garbage", which no RESP reply starts with
  hang     not answered at all (a server stopped, or a network that
           drops everything)
  -TEXT    answered the error TEXT (say -LOADING: "-LOADING Redis is
           loading the dataset in memory")

and, past the first N connections, ":0" as a PUBLISH.  Each connection
accepted is said on stderr.
"""
import socket
import sys
import threading


def commands(buf):
    """The complete commands at the start of buf, and what is left."""
    cmds, i = [], 0
    while i < len(buf):
        j = buf.find(b"\r\n", i)
        if j < 0:
            break
        n, k, args = int(buf[i + 1:j]), j + 2, []
        for _ in range(n):
            e = buf.find(b"\r\n", k)
            if e < 0:
                return cmds, buf[i:]
            ln = int(buf[k + 1:e])
            if len(buf) < e + 2 + ln + 2:
                return cmds, buf[i:]
            args.append(buf[e + 2:e + 2 + ln])
            k = e + 2 + ln + 2
        if len(args) < n:
            break
        cmds.append(args)
        i = k
    return cmds, buf[i:]


def handshake_reply(args):
    c = args[0].upper()
    if c == b"PING":
        return b"+PONG\r\n"
    if c == b"ROLE":
        return b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"
    if c == b"CLIENT":
        sub = args[1].upper()
        if sub == b"ID":
            return b":7\r\n"
        if sub == b"LIST":
            return b"$0\r\n\r\n"
        if sub == b"KILL":
            return b":0\r\n"
        return b"+OK\r\n"
    if c in (b"AUTH", b"SELECT"):
        return b"+OK\r\n"
    return None


def serve(conn, mode, bad):
    buf = b""
    try:
        while True:
            d = conn.recv(65536)
            if not d:
                break
            cmds, buf = commands(buf + d)
            for args in cmds:
                r = handshake_reply(args)
                if r is None and not bad:
                    r = b":0\r\n"
                elif r is None and mode == "garbage":
                    r = b"!garbage\r\n"
                elif r is None and mode == "hang":
                    continue
                elif r is None and mode.startswith("-"):
                    r = mode.encode() + b"\r\n"
                elif r is None:
                    conn.sendall(b"$1000000000\r\n")
                    chunk = b"x" * (1 << 20)
                    for _ in range(300):
                        conn.sendall(chunk)
                    threading.Event().wait()
                conn.sendall(r)
    except OSError:
        pass
    conn.close()


def main(argv):
    port, ready, mode = int(argv[1]), argv[2], argv[3]
    nbad = int(argv[4]) if len(argv) > 4 else -1
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    open(ready, "w").close()
    n = 0
    while True:
        c, _ = ls.accept()
        n += 1
        print("fakeredis: connection %d" % n, file=sys.stderr, flush=True)
        threading.Thread(target=serve, args=(c, mode, nbad < 0 or n <= nbad),
                         daemon=True).start()


if __name__ == "__main__":
    main(sys.argv)
