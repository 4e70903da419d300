#!/bin/sh
# A client that keeps up is not taken for one that falls behind because
# of one large message: a book snapshot of 680 KB (20000 levels a side),
# past half the default --output-cap (1 MiB) but its largest message,
# which is not counted, reaches it unconflated, and the deltas after it
# follow as they come, with no {"type":"conflated"} frame.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

ch=md.big.X-Y.book
wsc_bg sub --url "$WS_URL" --channels "$ch" --count 3 --timeout 15 \
    --ready "$T/c.ready" >"$T/c.out" 2>"$T/c.err" &
pid=$!
track $pid
wait_for 20 test -e "$T/c.ready" || fail "client not subscribed"
/usr/bin/python3 -c '
import json, sys
lv = [["%d.00" % (100000 - i), "1"] for i in range(40000)]
m = {"type": "book_snapshot", "venue": "big", "symbol": "X-Y", "seq": 1,
     "bids": lv[:20000], "asks": lv[20000:]}
sys.stdout.write(json.dumps(m, separators=(",", ":")))' >"$T/snap"
size=$(wc -c <"$T/snap")
[ "$size" -gt 524288 ] && [ "$size" -le 1048576 ] ||
    fail "snapshot of $size bytes not between half the cap and the cap"
rcli -x publish "$ch" <"$T/snap" >/dev/null
for s in 2 3; do
	rcli publish "$ch" "{\"type\":\"book_delta\",\"venue\":\"big\",\"symbol\":\"X-Y\",\"seq\":$s,\"bids\":[[\"1.00\",\"$s\"]],\"asks\":[]}" >/dev/null
done
wait "$pid" ||
    fail "client: $(cat "$T/c.err"); it got: $(sed 1d "$T/c.out" | cut -c1-120)"
# after the "subscribed" answer: each message's type, seq and length
got=$(sed 1d "$T/c.out" | awk '{ match($0, /"type":"[a-z_]*"/); t = substr($0, RSTART + 8, RLENGTH - 9)
	match($0, /"seq":[0-9]*/)
	printf "%s/%s/%d ", t, substr($0, RSTART + 6, RLENGTH - 6), length($0) }')
assert_eq "messages (type/seq/bytes)" \
    "book_snapshot/1/$size book_delta/2/ book_delta/3/ " \
    "$(echo "$got" | sed 's,\(delta/[0-9]*/\)[0-9]*,\1,g')"
stop_wsgate
