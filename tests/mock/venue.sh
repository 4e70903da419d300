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
	    --log "$MOCK_LOG" --port-file "$T/port" 2>"$T/mock.err" 9>&- &
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
	    --snapshot-interval 0 "$@" 2>"$T/collector.err" 9>&- &
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

# collect_until SECS UNTIL WHY CMD...: CMD starts the collector against
# the running mock; once a normalized ring line matches UNTIL (grep -E;
# within SECS, else fail WHY) the collector is stopped (collector_stop).
collect_until() {
	_cu_secs=$1 _cu_until=$2 _cu_why=$3
	shift 3
	"$@"
	wait_for "$_cu_secs" ring_has "$_cu_until" || fail "$_cu_why"
	collector_stop
}

# ring_is WHAT: the normalized ring is exactly the lines on stdin; fails
# "WHAT: output differs" with the diff on stderr.
ring_is() {
	cat >"$T/want"
	ring_jsonl >"$T/got"
	diff "$T/want" "$T/got" >&2 || fail "$1: output differs"
}

# counters_match WHAT ERE: a counters line of the collector (its stderr)
# matches ERE, which starts with the line's name ("okx: msgs ...",
# "counters: ..."); fails showing those lines.
counters_match() {
	grep -Eq "$2" "$T/collector.err" ||
	    fail "$1: counters: $(grep "${2%%:*}: msgs" "$T/collector.err")"
}

# malformed_run SCRIPT COUNTERS: a venue test's malformed-messages case:
# the collector (the test's `run`) on SCRIPT until the trade sent after
# the bad messages arrives; its counters match COUNTERS; no resync.
malformed_run() {
	mock_start "$1"
	collect_until 20 '"type":"trade"' "malformed: no trade" run
	counters_match malformed "$2"
	assert_eq "resyncs" 0 "$(ring_count '"status":"resync"')"
}

# The test's stderr, for the FAIL of ring_norm and the counters: wait_for
# sends a polled command's stderr to /dev/null.
exec 9>&2
_venue_fail() { fail "$@" 2>&9; }

# ring_norm: every message in the ring, normalized (seq and recv dropped,
# status reasons kept), into $T/ring.norm; fails the test if shmreader or
# the normalizing fails (a ring read as nothing must not pass a count of
# 0).  With the argument "poll", a ring that does not exist yet or is
# still being created (shmreader's exit status 69) returns 2 instead.
ring_norm() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow \
	    >"$T/ring.raw" 2>"$T/ring.err"
	_rn=$?
	[ "$_rn" -ne 69 ] || [ "${1:-}" != poll ] || return 2
	[ "$_rn" -eq 0 ] ||
	    _venue_fail "shmreader --ring $RING: exit $_rn: $(cat "$T/ring.err")"
	$PY -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    o.pop("seq", None); o.pop("recv", None)
    if o.get("type") == "status":
        o.pop("ts", None)
    print(json.dumps(o, separators=(",", ":")))' <"$T/ring.raw" >"$T/ring.norm" ||
	    _venue_fail "ring_norm: the ring's JSONL did not parse"
}

# ring_jsonl: the normalized ring (ring_norm) on stdout.  In $(...) or a
# pipeline a failure exits only that subshell: it prints nothing then.
ring_jsonl() {
	ring_norm && cat "$T/ring.norm"
}

# ring_has PATTERN: the normalized ring contains a line matching PATTERN
# (grep -E).  A ring not made yet has none (wait_for polls it); any other
# shmreader failure fails the test, so `! ring_has` is no vacuous pass.
ring_has() {
	ring_norm poll || return 1
	grep -Eq "$1" "$T/ring.norm"
}

# ring_count PATTERN: how many normalized lines match.  Used in $(...): if
# shmreader fails it prints nothing (and FAIL on stderr), so that no
# expected count, 0 included, matches.
ring_count() {
	ring_norm
	grep -Ec "$1" "$T/ring.norm"
	[ "$?" -le 1 ] || _venue_fail "ring_count: grep -E '$1' failed"
}

# mock_count PATTERN: how many mock log lines match; as ring_count, prints
# nothing (and FAIL on stderr) if there is no mock log or grep fails.
mock_count() {
	if [ -z "${MOCK_LOG:-}" ] || [ ! -f "$MOCK_LOG" ]; then
		_venue_fail "mock_count: no mock log${MOCK_LOG:+ $MOCK_LOG}"
	fi
	grep -Ec "$1" "$MOCK_LOG"
	[ "$?" -le 1 ] || _venue_fail "mock_count: grep -E '$1' $MOCK_LOG failed"
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

# Replaying recorded venue traffic (tests/fixtures/venues/README.md).
REBUILD="$TESTS/mock/rebuild.py"

# mock_replay CAPTURE EXPECT [SPEED [OLD NEW]]: the mock exchange serving
# CAPTURE: REST GETs get its recorded bodies; the first connection, once
# the client has sent EXPECT messages, gets its recorded frames at SPEED
# times the recorded pace (default, or "max": back to back), with every
# OLD in them replaced by NEW (mockex.py `replace`) if given.
mock_replay() {
	{
		echo "restreplay $1"
		echo conn
		[ "$2" -eq 0 ] || echo "expect $2"
		[ -z "${4:-}" ] || echo "replace $4 $5"
		echo "replay $1 ${3:-max}"
	} >"$T/replay.script"
	mock_start "$T/replay.script"
}

# replayed: prints how many frames the mock sent, once it has sent all.
replayed() {
	sed -n 's/^C1 replayed \([0-9]*\) frames$/\1/p' "$MOCK_LOG" | grep .
}

# collector_read VENUE N: the collector has taken N messages from VENUE
# (its counters, asked for with SIGUSR1, say so).
collector_read() {
	kill -USR1 "$COLLECTOR_PID" 2>/dev/null || return 1
	sleep 0.1
	_cr=$(grep "^collector: $1: msgs " "$T/collector.err" | tail -n 1 |
	    sed 's/^collector: [a-z]*: msgs \([0-9]*\) .*/\1/')
	[ "${_cr:-0}" -ge "$2" ]
}

# replay_wait VENUE SECS: waits until the mock has sent the whole capture
# and the collector has read every frame of it.
replay_wait() {
	wait_for "$2" replayed || fail "the mock did not send the capture: $(tail -n 3 "$MOCK_LOG")"
	_rw_n=$(replayed)
	wait_for "$2" collector_read "$1" "$_rw_n" ||
	    fail "collector read fewer than $_rw_n frames: $(grep "^collector: $1: msgs" "$T/collector.err" | tail -n 1)"
}

# replay_check VENUE CAPTURE SYMBOLS [DEPTH]: the ring against the books
# and trades rebuilt from CAPTURE by tests/mock/rebuild.py; notes its
# summary line.
replay_check() {
	"$BIN/shmreader" --ring "$RING" --from oldest --no-follow >"$T/ring.jsonl" ||
	    fail "shmreader failed"
	$PY "$REBUILD" --venue "$1" --capture "$2" --symbols "$3" \
	    ${4:+--depth "$4"} "$T/ring.jsonl" >"$T/rebuild.out" 2>"$T/rebuild.err" ||
	    fail "ring differs from the venue's traffic:
$(cat "$T/rebuild.err" "$T/rebuild.out")"
	note "$(cat "$T/rebuild.out")"
}
