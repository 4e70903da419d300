#!/bin/sh
# A Sentinel's answer is bounded (redispub(1) -u): one that answers
# SENTINEL get-master-addr-by-name with a bulk string of 1 GB, and sends
# it as fast as it can, is given up once 65536 bytes have come, "a reply
# past 65536 bytes", and the attempt fails for it (--connect-timeout 1:
# exit 69).  Unbounded, redispub kept all that came in the Sentinel's
# 500 ms (hiredis's reader) and said "no reply in 500 ms".
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

/usr/bin/python3 - "$T/port" <<'PY' 2>"$T/flood.err" &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
chunk = b"x" * 65536
while True:
    c, _ = s.accept()
    c.recv(4096)
    try:
        c.sendall(b"$1000000000\r\n")
        for _ in range(15259):
            c.sendall(chunk)
    except OSError:
        pass
    c.close()
PY
track $!
wait_for 10 test -s "$T/port" || fail "the flooding Sentinel did not listen: $(cat "$T/flood.err")"
PORT=$(cat "$T/port")

mkfifo "$T/fifo"
"$RP" -u "sentinel://127.0.0.1:$PORT/tp" --stats-interval 0 \
    --connect-timeout 1 <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
wait_pid 15 $rp redispub
rc=$?
exec 3>&-
assert_eq "exit status with the Sentinel's answer past the bound" 69 "$rc"
grep -q "Sentinel 127.0.0.1:$PORT: a reply past 65536 bytes" "$T/err" ||
    fail "the answer's bound not said: $(cat "$T/err")"
exit 0
