"""hold.py PORT N SECONDS READY: N TCP connections to 127.0.0.1:PORT,
held SECONDS once all are made (READY is created then); prints how many
the server closed meanwhile.  For the descriptor-limit tests."""
import socket
import sys
import time

port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    s = socket.socket()
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    socks.append(s)
open(sys.argv[4], "w").close()
time.sleep(hold)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except (BlockingIOError, ConnectionResetError) as e:
        closed += isinstance(e, ConnectionResetError)
print(closed)
