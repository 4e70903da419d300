#!/bin/sh
# t-redispub-redis-restart: Redis killed (SIGKILL) and started again on
# the same port while redispub is fed 20000 lines/s.  redispub keeps
# running, reconnects within 1 s of Redis answering again, resends what
# was not acknowledged, and its final counters account for every line
# read: published + dropped + malformed = lines (and nothing is dropped).
# The final stats object in the new Redis says the same.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=100000		# 5 s at 20000/s
start_redis

# redispub_connected: a client other than redis-cli is connected
redispub_connected() {
	rcli client list | grep -v 'cmd=client' | grep -q .
}

mkfifo "$T/fifo"
"$GEN" --count "$N" --symbols 4 --rate 20000 >"$T/fifo" &
track $!
"$RP" -u "$REDIS_URL" <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
wait_for 10 redispub_connected || fail "redispub did not connect"
sleep 1.5
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
sleep 0.3
kill -0 "$rp" 2>/dev/null || fail "redispub exited when Redis went away"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$T/redis" --daemonize no \
    --logfile "$T/redis/log.2" &
REDIS_PID=$!
track $REDIS_PID
wait_for 10 rcli ping || fail "redis did not restart"
back=$(ms)
wait_for 10 redispub_connected || fail "redispub did not reconnect within 10 s"
took=$(( $(ms) - back ))
note "reconnected ${took} ms after Redis answered again"
[ "$took" -le 1000 ] || fail "reconnect took ${took} ms (more than 1 s)"
wait "$rp"
rc=$?
cat "$T/err" >&2
assert_eq "redispub exit status" 0 "$rc"
lines=$(counter lines "$T/err")
pub=$(counter published "$T/err")
drop=$(counter dropped "$T/err")
bad=$(counter malformed "$T/err")
assert_eq "lines read" "$N" "$lines"
assert_eq "published + dropped + malformed" "$lines" "$(( pub + drop + bad ))"
assert_eq "dropped" 0 "$drop"
assert_eq "reconnects" 1 "$(counter reconnects "$T/err")"
rcli get md.tickpipe.stats | grep -q "\"lines\":$N,\"published\":$N,\"malformed\":0,\"dropped\":0,\"buffered\":0,\"reconnects\":1," ||
    fail "stats in the new Redis: $(rcli get md.tickpipe.stats)"
