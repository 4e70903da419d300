# shellcheck shell=sh
# tests/mock/venue.sh: sourced by the venue tests after tests/lib.sh.
# A throw-away CA and a certificate for 127.0.0.1 made with openssl, the
# scripted mock exchange (mockex.py), the collector pointed at it, and the
# ring read back as normalized JSONL.

PY=/usr/bin/python3
MOCK="$TESTS/mock/mockex.py"
$PY -c 'import websockets' 2>/dev/null || skip "python3-websockets missing"
command -v openssl >/dev/null || skip "openssl missing"

# mock_certs: $T/ca.pem (the CA to trust), $T/srv.pem and $T/srv.key.
mock_certs() {
	_mc_try=0
	until _mock_certs; do
		_mc_try=$((_mc_try + 1))
		[ "$_mc_try" -lt 3 ] || fail "openssl: $(cat "$T/openssl.err")"
	done
}

_mock_certs() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tp test CA" \
	    -keyout "$T/ca.key" -out "$T/ca.pem" >/dev/null 2>"$T/openssl.err" &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	    -keyout "$T/srv.key" -out "$T/srv.csr" >/dev/null 2>>"$T/openssl.err" &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/ext" &&
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	    -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/srv.pem" \
	    >/dev/null 2>>"$T/openssl.err"
}

# mock_start SCRIPT: starts the mock exchange; sets MOCK_PORT, MOCK_LOG.
mock_start() {
	[ -f "$T/ca.pem" ] || mock_certs
	if [ -n "${MOCK_PID:-}" ]; then
		kill "$MOCK_PID" 2>/dev/null
		wait "$MOCK_PID" 2>/dev/null
	fi
	rm -f "$T/port"
	MOCK_LOG="$T/mock.log"
	: >"$MOCK_LOG"
	$PY "$MOCK" --cert "$T/srv.pem" --key "$T/srv.key" --script "$1" \
	    --log "$MOCK_LOG" --port-file "$T/port" 2>"$T/mock.err" &
	MOCK_PID=$!
	track "$MOCK_PID"
	wait_for 20 test -s "$T/port" || fail "mock exchange did not start: $(cat "$T/mock.err")"
	# shellcheck disable=SC2034
	MOCK_PORT=$(cat "$T/port")
}

# collector_start ARGS...: the collector on $RING with the test CA; its
# stderr goes to $T/collector.err.
collector_start() {
	"$BIN/collector" --ring "$RING" --ca-file "$T/ca.pem" \
	    --snapshot-interval 0 "$@" 2>"$T/collector.err" &
	COLLECTOR_PID=$!
	track "$COLLECTOR_PID"
}

# collector_stop: SIGTERM, and it must exit 0.
collector_stop() {
	kill -TERM "$COLLECTOR_PID" 2>/dev/null
	wait "$COLLECTOR_PID"
	_rc=$?
	[ "$_rc" -eq 0 ] || fail "collector exited $_rc: $(tail -n 5 "$T/collector.err")"
}

# ring_jsonl: every message in the ring, normalized: seq and recv dropped,
# status reasons kept.
ring_jsonl() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow |
	    $PY -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    o.pop("seq", None); o.pop("recv", None)
    if o.get("type") == "status":
        o.pop("ts", None)
    print(json.dumps(o, separators=(",", ":")))'
}

# ring_has PATTERN: the normalized ring contains a line matching PATTERN
# (grep -E).
ring_has() {
	ring_jsonl | grep -E "$1" >/dev/null
}

# ring_count PATTERN: how many normalized lines match.
ring_count() {
	ring_jsonl | grep -Ec "$1"
}

# mock_count PATTERN: how many mock log lines match.
mock_count() {
	grep -Ec "$1" "$MOCK_LOG"
}

# book_state VENUE SYMBOL: the book a reader builds from the ring (every
# snapshot replaces it, deltas update it), printed as one JSON line
# {"bids":[...],"asks":[...]} best first.
book_state() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow |
	    $PY -c '
import json, sys
from decimal import Decimal
venue, sym = sys.argv[1], sys.argv[2]
bids, asks = {}, {}
for line in sys.stdin:
    o = json.loads(line)
    if o.get("venue") != venue or o.get("symbol") != sym:
        continue
    if o["type"] == "book_snapshot":
        bids, asks = {}, {}
    if o["type"] not in ("book_snapshot", "book_delta"):
        continue
    for side, lv in ((bids, o["bids"]), (asks, o["asks"])):
        for p, q in lv:
            if Decimal(q) == 0:
                side.pop(Decimal(p), None)
            else:
                side[Decimal(p)] = [p, q]
b = [bids[k] for k in sorted(bids, reverse=True)]
a = [asks[k] for k in sorted(asks)]
print(json.dumps({"bids": b, "asks": a}, separators=(",", ":")))' "$1" "$2"
}
