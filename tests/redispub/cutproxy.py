#!/usr/bin/python3
"""cutproxy.py: a TCP proxy on loopback that can cut the way to the
server, as a network would, for tests/t-redispub-lease-fence.sh.

  cutproxy.py LISTEN_PORT SERVER_PORT READY CUT

Forwards each connection made to 127.0.0.1:LISTEN_PORT to
127.0.0.1:SERVER_PORT, both ways; touches READY once it listens.  While
the file CUT exists, what clients send is held, not forwarded (the
server's replies still pass): a path to the server that lost its
packets; once CUT is removed, what was held goes on, in order, as TCP
retransmissions would bring it.  A server side that the server closed
meanwhile takes nothing: what was held for it is dropped, and the
client's side is closed.
"""
import os
import selectors
import socket
import sys


def main(argv):
    lport, sport, ready, cut = int(argv[1]), int(argv[2]), argv[3], argv[4]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", lport))
    ls.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    peer, held = {}, {}
    open(ready, "w").close()

    def close(s):
        for x in (s, peer.get(s)):
            if x is not None and x in peer:
                sel.unregister(x)
                x.close()
                held.pop(x, None)
                del peer[x]

    while True:
        for key, _ in sel.select(0.05):
            s = key.fileobj
            if s is ls:
                c, _ = ls.accept()
                u = socket.create_connection(("127.0.0.1", sport))
                peer[c], peer[u] = u, c
                held[c] = b""
                sel.register(c, selectors.EVENT_READ)
                sel.register(u, selectors.EVENT_READ)
                continue
            if s not in peer:
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            if s in held:           # client to server
                held[s] += data
            else:
                try:
                    peer[s].sendall(data)
                except OSError:
                    close(s)
        if not os.path.exists(cut):
            for c in list(held):
                if held.get(c) and c in peer:
                    try:
                        peer[c].sendall(held[c])
                        held[c] = b""
                    except OSError:
                        close(c)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
