#!/bin/sh
# Sentinels that accept and never answer do not stall wsgate (wsgate(1)
# -u): with a sentinel:// URL naming three of them (tests/wsgate/mute.py
# listen), wsgate keeps asking them, each in turn, 500 ms each, and
# meanwhile answers /healthz as ever: 20 requests, 200 ms apart,
# each within 750 ms (asked with blocking calls on the event loop, some
# waited 1.5 s and more).  wsgate exits 0 (no sanitizer report under make
# SAN=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

# asked: wsgate said how asking the Sentinels failed at least $1 times
asked() { [ "$(grep -c 'no server from the Sentinels' "$T/wsgate.log")" -ge "$1" ]; }
# answers: wsgate answers /healthz (503: no Redis)
answers() { wsc http /healthz --url "$HTTP_URL" >/dev/null; }

/usr/bin/python3 "$TESTS/wsgate/mute.py" listen 3 "$T/ports" 2>"$T/mute.err" &
track $!
wait_for 10 test -s "$T/ports" || fail "mute.py did not listen: $(cat "$T/mute.err")"
# shellcheck disable=SC2046 # the three ports, as words
set -- $(cat "$T/ports")
WS_PORT=$(free_port)
HTTP_URL="http://127.0.0.1:$WS_PORT"
"$BIN/wsgate" -l "127.0.0.1:$WS_PORT" \
    -u "sentinel://127.0.0.1:$1,127.0.0.1:$2,127.0.0.1:$3/tp" \
    2>"$T/wsgate.log" &
WS_PID=$!
track "$WS_PID"
wait_for 20 answers || fail "wsgate does not answer: $(tail -n 3 "$T/wsgate.log")"
wait_for 20 asked 1 || fail "the Sentinels not asked: $(tail -n 3 "$T/wsgate.log")"
line=$(grep -m 1 'no server from the Sentinels' "$T/wsgate.log")
for p in "$1" "$2" "$3"; do
	case $line in
	*"Sentinel 127.0.0.1:$p: "*) ;;
	*) fail "Sentinel $p not asked: $line" ;;
	esac
done
before=$(grep -c 'no server from the Sentinels' "$T/wsgate.log")
healthz_prompt 750
asked $((before + 1)) ||
    fail "the Sentinels not asked again while probing: $(tail -n 3 "$T/wsgate.log")"
note "healthz ms: $(paste -sd' ' "$T/probe.out")"
stop_wsgate
