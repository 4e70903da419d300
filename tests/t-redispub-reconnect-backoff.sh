#!/bin/sh
# t-redispub-reconnect-backoff: the wait between reconnections doubles
# from 100 ms up to 5 s, and starts again from 100 ms only once Redis
# has answered a command beyond the handshake (redispub(1)).  A server
# (tests/redispub/fakeredis.py) that passes the handshake, then answers
# each command with what is not RESP: in 3 s redispub connects some 5
# times (100 + 200 + 400 + 800 + 1600 ms), where it reconnected every
# 100 ms for ever, each time said.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
PORT=$(free_port)
/usr/bin/python3 "$TESTS/redispub/fakeredis.py" "$PORT" "$T/ready" garbage \
    2>"$T/fake.err" &
track $!
wait_for 10 test -e "$T/ready" || fail "fakeredis did not start"

mkfifo "$T/fifo"
"$RP" -u "redis://127.0.0.1:$PORT" --stats-interval 0 --flush-timeout 1 \
    <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1,"price":"1","qty":"2","side":"buy","tid":"1"}' >&3
sleep 3
n=$(grep -c 'fakeredis: connection' "$T/fake.err")
note "$n connections in 3 s; $(grep -c 'retrying in' "$T/err") lines said"
[ "$n" -ge 2 ] || fail "redispub did not reconnect: $(cat "$T/err")"
[ "$n" -le 7 ] ||
    fail "$n connections in 3 s to a server failing each command: the wait did not double: $(grep -o 'retrying in [0-9]* ms' "$T/err" | tr '\n' ' ')"
grep -q 'retrying in 1600 ms' "$T/err" ||
    fail "no wait of 1600 ms: $(grep -o 'retrying in [0-9]* ms' "$T/err" | tr '\n' ' ')"
exec 3>&-
kill -TERM $rp
wait_pid 10 $rp "redispub, stopped"
