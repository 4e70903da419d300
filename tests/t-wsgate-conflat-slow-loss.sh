#!/bin/sh
# t-wsgate-conflat-slow-loss: a conflated client that is behind when its
# book is lost is told so.  A client at max_hz 1000 on a book channel of
# large deltas stops reading for 4 s: wsgate, holding more than half of
# --output-cap for it, skips its ticks (it is to get a join frame once
# it has caught up, wsgate(1) "Conflation").  Meanwhile a gap line is
# published on the channel (as redispub publishes one there): the book
# the client has is lost, and it must get {"type":"book_invalid"}
# (tickpipe(7)) before any book message after it.  It used to get
# nothing: a member waiting for a join frame was taken for one with no
# book.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/wsgate/lib.sh"

C=md.sim.BTC-USD.book
start_redis
start_wsgate --output-cap 65536
cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 1000 --pause-after 1 \
    --pause 4 --secs 8 --ready "$T/rec.ready" --out "$T/got" \
    2>"$T/rec.err" &
rp=$!
track $rp
wait_for 20 test -e "$T/rec.ready" || fail "client not subscribed"
# a deep book, then deltas of 1500 levels each, some 2000 a second for
# 5 s (ticks of some 30 KB: more than the kernel's 4 MiB and half the
# cap hold in the client's pause), the gap line 3 s in, a snapshot at
# the end
cat >"$T/pub.py" <<'EOF'
import socket, sys, time
port, chan = int(sys.argv[1]), sys.argv[2].encode()
s = socket.create_connection(("127.0.0.1", port))
def pub(line):
    line = line.encode()
    return b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(chan), chan, len(line), line)
levels = {}
def book(kind, seq, n, q):
    if (n, q) not in levels:
        levels[n, q] = ",".join('["%d.%02d","%d"]' % (1000 - i // 100,
                                i % 100, q) for i in range(n))
    return ('{"type":"%s","venue":"sim","symbol":"BTC-USD","seq":%d,'
            '"vseq":%d,"ts":1,"recv":1,"bids":[%s],"asks":[]}'
            % (kind, seq, seq, levels[n, q]))
s.sendall(pub(book("book_snapshot", 1, 2000, 1)))
t0, seq, gapped = time.monotonic(), 1, False
while time.monotonic() - t0 < 5:
    if not gapped and time.monotonic() - t0 > 3:
        s.sendall(pub('{"type":"gap","from":%d,"lost":1}' % (seq + 1)))
        gapped = True
    out = b""
    for _ in range(20):
        seq += 1
        out += pub(book("book_delta", seq, 1500, seq % 7 + 1))
    s.sendall(out)
    time.sleep(0.01)
seq += 1
s.sendall(pub(book("book_snapshot", seq, 2000, 2)))
time.sleep(0.2)
EOF
/usr/bin/python3 "$T/pub.py" "$REDIS_PORT" "$C" || fail "publisher failed"
wait $rp || fail "client: $(cat "$T/rec.err")"
grep -q '"closed"' "$T/got" && fail "client cut: $(grep closed "$T/got")"
res=$(/usr/bin/python3 -c '
import json, sys
seen = []
for line in open(sys.argv[1]):
    m = json.loads(json.loads(line)["m"])
    seen.append(m.get("type"))
if "book_invalid" not in seen:
    sys.exit("no book_invalid in %d messages" % len(seen))
i = seen.index("book_invalid")
after = [t for t in seen[i + 1:] if t in ("book_snapshot", "book_delta")]
if after and after[0] != "book_snapshot":
    sys.exit("a %s after book_invalid" % after[0])
print("book_invalid after %d messages, %d book messages after it"
      % (i, len(after)))
' "$T/got" 2>&1) || fail "$res"
note "$res"
stop_wsgate
