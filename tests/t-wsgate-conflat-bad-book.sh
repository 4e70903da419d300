#!/bin/sh
# t-wsgate-conflat-bad-book: a conflated book that a message breaks is
# said to be broken.  A book message whose levels do not apply (here a
# delta with a price that is no decimal, published straight to Redis)
# loses the conflator's book: every client of it at max_hz gets
# {"type":"book_invalid"} naming the channel (wsgate(1) "Conflation",
# tickpipe(7)) and no delta until the next snapshot, which it then gets
# whole.  Its book used to be dropped with nothing said: the client kept
# the one it had and took the next snapshot for a routine one.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
C=md.sim.BTC-USD.book
line() {	# TYPE SEQ BIDS
	printf '{"type":"%s","venue":"sim","symbol":"BTC-USD","seq":%s,"vseq":%s,"ts":1,"recv":1,"bids":%s,"asks":[["101","1"]]}' \
	    "$1" "$2" "$2" "$3"
}
cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 50 \
    --stop-file "$T/stop" --ready "$T/rec.ready" --out "$T/got" \
    2>"$T/rec.err" &
rp=$!
track $rp
wait_for 20 test -e "$T/rec.ready" || fail "client not subscribed"
pub() { rcli publish "$C" "$1" >/dev/null; sleep 0.3; }
pub "$(line book_snapshot 1 '[["100","1"]]')"
pub "$(line book_delta 2 '[["100","2"]]')"
pub "$(line book_delta 3 '[["1x0","2"]]')"
pub "$(line book_delta 4 '[["100","3"]]')"
pub "$(line book_snapshot 5 '[["99","1"]]')"
pub "$(line book_delta 6 '[["99","2"]]')"
touch "$T/stop"
wait $rp || fail "client: $(cat "$T/rec.err")"
got=$(/usr/bin/python3 -c '
import json, sys
out = []
for line in open(sys.argv[1]):
    m = json.loads(json.loads(line)["m"])
    t = m.get("type")
    if t == "book_invalid":
        out.append("invalid:" + m.get("channel", "?"))
    elif t in ("book_snapshot", "book_delta"):
        out.append("%s:%d:%s" % (t[5:], m["seq"],
                   "/".join(p + "=" + q for p, q in m["bids"])))
print(" ".join(out))
' "$T/got")
assert_eq "what the conflated client got" \
    "snapshot:1:100=1 delta:2:100=2 invalid:$C snapshot:5:99=1 delta:6:99=2" \
    "$got"
stop_wsgate
