"""mute.py: servers that accept and never answer, and a prober of how
fast wsgate answers meanwhile, for tests/t-wsgate-sentinel-silent-*.sh.

  mute.py listen N PORTS   N sockets listening on 127.0.0.1, ports of
                           the kernel's choosing, written one a line to
                           PORTS once they listen; every connection is
                           accepted and held open, nothing read from it
                           nor sent: a Sentinel host that hangs (a
                           partition past the accept, a frozen process)
                           until killed
  mute.py probe URL N MS   N GETs of URL (http://host:port/path), each
                           on a new connection, MS ms after the last was
                           answered: prints how long each took to be
                           answered whole, in ms, one a line
"""
import os
import socket
import sys
import threading
import time


def listen(n, ports):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        socks.append(s)
    held = []

    def accept(s):
        while True:
            c, _ = s.accept()
            held.append(c)

    for s in socks:
        threading.Thread(target=accept, args=(s,), daemon=True).start()
    with open(ports + ".tmp", "w") as f:
        for s in socks:
            f.write("%d\n" % s.getsockname()[1])
    os.rename(ports + ".tmp", ports)
    while True:
        time.sleep(3600)


def probe(url, n, ms):
    hostport, path = url.split("//", 1)[1].split("/", 1)
    host, port = hostport.rsplit(":", 1)
    req = ("GET /%s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, hostport)).encode()
    for i in range(n):
        if i > 0:
            time.sleep(ms / 1000.0)
        t0 = time.monotonic()
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(req)
        while s.recv(65536):
            pass
        s.close()
        print("%.0f" % ((time.monotonic() - t0) * 1000), flush=True)


if sys.argv[1] == "listen":
    listen(int(sys.argv[2]), sys.argv[3])
else:
    probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
