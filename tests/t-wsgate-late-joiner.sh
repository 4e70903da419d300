#!/bin/sh
# A client that subscribes to a book channel mid-stream (and one that
# comes after the stream ended) first gets the latest snapshot and the
# deltas since, then live updates: its book is, level for level, the one
# of a client that was there from the start, at the same seq.  The data
# goes through the real redispub (late-joiner keys C.snapshot/C.deltas).
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

GEN=$BIN/tests/rp-gen
[ -x "$BIN/redispub" ] || skip "redispub not built"
[ -x "$GEN" ] || skip "tests/redispub/rp-gen not built"

start_redis
start_wsgate
ch=md.sim.S00-USD.book
"$GEN" --count 6000 --symbols 1 --snapshot-every 700 >"$T/in"
final=$(grep '"type":"book_' "$T/in" | tail -n 1 |
    sed 's/.*"seq":\([0-9]*\).*/\1/')

# book_client NAME: a client building the book until seq $final
book_client() {
	wsc_bg sub --url "$WS_URL" --channels "$ch" --book --until-seq "$final" \
	    --timeout 60 --ready "$T/$1.ready" >"$T/$1.out" 2>"$T/$1.err" &
}

book_client first
first=$!
track $first
wait_for 20 test -e "$T/first.ready" || fail "first client not subscribed"
# feed redispub at about 1500 lines/s so the stream lasts ~4 s
/usr/bin/python3 -c '
import sys, time
t0 = time.monotonic()
for i, l in enumerate(sys.stdin):
    d = t0 + i / 1500 - time.monotonic()
    if d > 0:
        time.sleep(d)
    sys.stdout.write(l)
    sys.stdout.flush()
' <"$T/in" | "$BIN/redispub" -u "$REDIS_URL" 2>"$T/redispub.err" &
feed=$!
track $feed
sleep 2
book_client mid
mid=$!
track $mid
wait "$feed" || fail "redispub failed: $(tail -n 3 "$T/redispub.err")"
book_client after
after=$!
track $after
for c in first mid after; do
	eval "wait \$$c" || fail "client $c: $(cat "$T/$c.err")"
done
n=$(sed -n 2p "$T/first.out" | /usr/bin/python3 -c \
    'import json,sys; b=json.load(sys.stdin); print(len(b["bids"]), len(b["asks"]), b["seq"])')
note "final book: bids asks seq = $n"
for c in mid after; do
	cmp -s "$T/first.out" "$T/$c.out" ||
	    fail "$c joiner's book differs: $(sed -n 2p "$T/$c.out" | cut -c1-200)"
done
[ "$(metric wsgate_late_joins_total)" -ge 3 ] || fail "late joins not counted"
stop_wsgate
