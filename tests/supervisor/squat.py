# tests/supervisor/squat.py PORT LOG READY: a server squatting on
# 127.0.0.1:PORT, not Redis: it binds the port as soon as it is free
# (READY is made once it tries, READY.bound once it holds the port),
# answers +PONG to anything and appends what it is sent to LOG, so that a
# test can tell whether the password was sent to it.
import socket
import sys
import time

port, log_path, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
open(ready, "w").close()
while True:
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.001)
s.listen(64)
open(ready + ".bound", "w").close()
with open(log_path, "ab", buffering=0) as log:
    while True:
        c, _ = s.accept()
        c.settimeout(0.5)
        try:
            while True:
                b = c.recv(4096)
                if not b:
                    break
                log.write(b)
                c.sendall(b"+PONG\r\n")
        except OSError:
            pass
        c.close()
