#!/bin/sh
# A Redis reply past 128 MiB is a protocol error, met as soon as it is
# known: a message whose payload announces 2^40 bytes, or a reply of
# 10^9 elements, each followed by 300 MiB (tests/wsgate/fakeresp.py bulk,
# array), loses the connection at once, said in the log, clients get
# redis_down then redis_up (reconnected), and wsgate's peak RSS stays
# far below what was sent (it took in 530 MB and 1.18 GB).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# bound MODE REASON: one fake Redis and one wsgate, MODE's reply refused
bound() {
	fake_redis "$1"
	: >"$T/wsgate.log"
	start_wsgate
	sub_client md.f.X.trade
	wait_for 8 grep -q '"status":"redis_down"' "$T/c.out" ||
	    fail "$1: no redis_down: $(tail -n 3 "$T/wsgate.log")"
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$WS_PID/status")
	grep -q "redis subscriber: $2" "$T/wsgate.log" ||
	    fail "$1: not said: $(grep subscriber "$T/wsgate.log" | tail -n 3)"
	wait_for 20 grep -q '"status":"redis_up"' "$T/c.out" ||
	    fail "$1: no redis_up: $(tail -n 3 "$T/wsgate.log")"
	note "$1: peak RSS $hwm KiB"
	[ "$hwm" -lt 262144 ] || fail "$1: peak RSS $hwm KiB"
	stop_wsgate
}
bound bulk "protocol error: a bulk string past 128 MiB"
bound array "protocol error: a reply past 128 MiB"
