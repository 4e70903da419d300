#!/usr/bin/python3
"""trickle.py PORT_FILE LOG: a plain-TCP WebSocket server that answers
each upgrade request with a valid 101 response, padded to about 400
bytes, sent one byte every 0.25 s (about 100 s in all): an exchange that
trickles its handshake.  Logs "C<n> open" and "C<n> closed" a line.
"""
import base64
import hashlib
import os
import socket
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def serve(c, n, log):
    log("C%d open" % n)
    head = b""
    try:
        while b"\r\n\r\n" not in head:
            d = c.recv(4096)
            if not d:
                raise OSError("closed")
            head += d
        key = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"sec-websocket-key:"):
                key = line.split(b":", 1)[1].strip()
        acc = base64.b64encode(hashlib.sha1(key + GUID).digest())
        resp = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nX-Pad: " + b"p" * 300 +
                b"\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
        for i in range(len(resp)):
            c.sendall(resp[i:i + 1])
            time.sleep(0.25)
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
    log("C%d closed" % n)


def main():
    lf = open(sys.argv[2], "a", buffering=1)
    lock = threading.Lock()

    def log(s):
        with lock:
            lf.write(s + "\n")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    n = 0
    while True:
        c, _ = s.accept()
        n += 1
        threading.Thread(target=serve, args=(c, n, log), daemon=True).start()


if __name__ == "__main__":
    main()
