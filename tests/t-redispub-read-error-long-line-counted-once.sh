#!/bin/sh
# t-redispub-read-error-long-line-counted-once: a line over the 1 MiB
# limit is counted once, as malformed, however its reading ends: when
# standard input fails (a socket reset by its peer) while such a line is
# being skipped, the part of it read after the count is not a line
# waiting to be taken, so redispub neither waits out --flush-timeout for
# it nor counts it again as dropped; at any time lines = published +
# dropped + malformed + buffered, each line read counted once
# (redispub(1) STATISTICS), and the read error makes the exit status 71.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
# stdin a Unix socket: one byte left unread at this end makes its close
# a reset, which redispub reads as ECONNRESET once it has read the rest
# (1.2 MiB, no newline: the count at 1 MiB, then a part being skipped).
cat >"$T/reset.py" <<'PY'
import socket, subprocess, sys
ours, theirs = socket.socketpair()
theirs.sendall(b"x")
p = subprocess.Popen(sys.argv[1:], stdin=theirs.fileno())
theirs.close()
ours.sendall(b'{"type":"trade","x":"' + b"a" * 1200000)
ours.close()
try:
    sys.exit(p.wait(timeout=60))
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    sys.exit(124)
PY
/usr/bin/python3 "$T/reset.py" "$RP" -u "$REDIS_URL" --flush-timeout 5 \
    2>"$T/err" &
py=$!
track $py
wait_pid 30 $py "redispub, its standard input reset,"
rc=$?
cat "$T/err" >&2
grep -q '^redispub: line 1: line longer than 1 MiB; skipped' "$T/err" ||
    fail "the line too long not reported: $(cat "$T/err")"
assert_eq "lines" 1 "$(counter lines "$T/err")"
assert_eq "malformed" 1 "$(counter malformed "$T/err")"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
! grep -q 'flush-timeout' "$T/err" ||
    fail "waited out --flush-timeout for the line skipped: $(cat "$T/err")"
assert_eq "exit status, a read error" 71 "$rc"
