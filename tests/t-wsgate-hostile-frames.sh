#!/bin/sh
# wsgate against hostile clients (tests/wsgate/hostile.py, seed fixed
# so a failure reproduces): several connections at once send random
# frame sequences cut at random bytes, most with one frame wsgate must
# refuse (bad RSV bits, unmasked, long or fragmented control frames,
# lengths not in shortest form or with the top bit set, continuation
# without a message, binary, invalid UTF-8, one byte over --max-message,
# bad close codes); each must get every answer due before that frame,
# nothing after it, the close code of wsgate(1), then EOF.  Others end
# with a close, a half-close or a reset mid-frame; slowloris request
# heads get 408.  Meanwhile a well-behaved client gets every published
# message in order, and wsgate exits 0 with no sanitizer report.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

SEED=${HOSTILE_SEED:-20261203}
start_redis
start_wsgate --max-message 4096 --handshake-timeout 1

test_hostile_clients_get_the_documented_close() {
	/usr/bin/python3 "$TESTS/wsgate/hostile.py" "$WS_PORT" "$REDIS_PORT" \
	    4096 "$SEED" "${HOSTILE_SECONDS:-12}" >"$T/out" 2>"$T/err" ||
	    fail "$(tail -n 3 "$T/err")"
	note "$(tail -n 1 "$T/err")"
	case $(cat "$T/out") in
	ok\ [1-9]*) ;;
	*) fail "no result: $(cat "$T/out")" ;;
	esac
}

test_hostile_clients_get_the_documented_close
wait_for 10 metric_is wsgate_clients 0 || fail "clients left: $(metric wsgate_clients)"
stop_wsgate
