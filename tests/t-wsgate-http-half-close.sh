#!/bin/sh
# A client that half-closes its side (shutdown SHUT_WR) right after its
# request still gets the whole response: wsgate read the EOF while the
# response was queued and closed the connection, so a GET of a 5 MB file
# from --www got only what the socket had taken by then (3.9 MB of the
# 5000000 bytes its Content-Length announced).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
mkdir "$T/www"
head -c 5000000 /dev/zero >"$T/www/big.bin"
start_wsgate --www "$T/www"

# the body's length and the Content-Length, the reader waiting a little
# first (a small receive buffer), so that the EOF comes while wsgate
# still has most of the response queued
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
s.shutdown(socket.SHUT_WR)
time.sleep(0.5)
d = b""
while True:
    try:
        b = s.recv(65536)
    except ConnectionResetError:
        break
    if not b:
        break
    d += b
h, _, body = d.partition(b"\r\n\r\n")
cl = [l.split(b":")[1].strip().decode() for l in h.split(b"\r\n")
      if l.lower().startswith(b"content-length:")]
print(len(body), cl[0] if cl else "none")' "$WS_PORT" >"$T/got" 2>&1 ||
    fail "client: $(cat "$T/got")"
assert_eq "body, Content-Length" "5000000 5000000" "$(cat "$T/got")"
# and the connection is gone: the one left is /metrics's own
wait_for 5 metric_is wsgate_connections 1 ||
    fail "connections: $(metric wsgate_connections)"
stop_wsgate
