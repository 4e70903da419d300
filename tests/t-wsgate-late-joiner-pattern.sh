#!/bin/sh
# A client that subscribes by pattern mid-stream (md.sim.*, or
# md.*.S01-USD.* for one symbol) first gets, for every book channel of
# PREFIX.channels its pattern matches, the latest snapshot and the deltas
# since, then live updates: per channel its book is, level for level, the
# one of a client subscribed to the exact channels from the start, at the
# same seq, with no delta before a snapshot and no message twice.  Trades
# keep flowing to it meanwhile.  The data goes through the real redispub.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

GEN=$BIN/tests/rp-gen
[ -x "$BIN/redispub" ] || skip "redispub not built"
[ -x "$GEN" ] || skip "tests/redispub/rp-gen not built"

start_redis
start_wsgate
"$GEN" --count 9000 --symbols 3 --snapshot-every 700 >"$T/in"
# final seq of each book channel: md.sim.S00-USD.book=N,...
until=$(grep '"type":"book_' "$T/in" | sed \
    's/.*"symbol":"\([^"]*\)","seq":\([0-9]*\).*/md.sim.\1.book=\2/' |
    awk -F= '{ s[$1] = $2 } END { for (c in s) print c "=" s[c] }' |
    sort | paste -sd, -)
until1=$(printf '%s\n' "$until" | tr , '\n' | grep S01-USD)
all=md.sim.S00-USD.book,md.sim.S01-USD.book,md.sim.S02-USD.book

# books_client NAME CHANNELS UNTIL
books_client() {
	wsc_bg books --url "$WS_URL" --channels "$2" --until "$3" \
	    --timeout 60 --ready "$T/$1.ready" >"$T/$1.out" 2>"$T/$1.err" &
}

books_client first "$all" "$until"
first=$!
track $first
wait_for 20 test -e "$T/first.ready" || fail "first client not subscribed"
# about 2000 lines/s: the stream lasts ~4.5 s
/usr/bin/python3 -c '
import sys, time
t0 = time.monotonic()
for i, l in enumerate(sys.stdin):
    d = t0 + i / 2000 - time.monotonic()
    if d > 0:
        time.sleep(d)
    sys.stdout.write(l)
    sys.stdout.flush()
' <"$T/in" | "$BIN/redispub" -u "$REDIS_URL" 2>"$T/redispub.err" &
feed=$!
track $feed
sleep 2
rcli EXISTS md.sim.S01-USD.book.snapshot | grep -qx 1 ||
    fail "no snapshot key yet: not mid-stream"
books_client mid 'md.sim.*' "$until"
mid=$!
track $mid
books_client one 'md.*.S01-USD.*' "$until1"
one=$!
track $one
wait "$feed" || fail "redispub failed: $(tail -n 3 "$T/redispub.err")"
books_client after 'md.sim.*' "$until"
after=$!
track $after
for c in first mid one after; do
	eval "wait \$$c" || fail "client $c: $(cat "$T/$c.err")"
done
note "first: $(cut -c1-40 "$T/first.out" | tr '\n' ' ')"
grep -v '^trades' "$T/first.out" >"$T/first.books"
[ "$(wc -l <"$T/first.books")" -eq 3 ] || fail "first client: not 3 books"
for c in mid after; do
	grep -v '^trades' "$T/$c.out" >"$T/$c.books"
	cmp -s "$T/first.books" "$T/$c.books" ||
	    fail "$c joiner's books differ: $(cut -c1-200 "$T/$c.books")"
done
grep -v '^trades' "$T/one.out" >"$T/one.books"
grep S01-USD "$T/first.books" | cmp -s - "$T/one.books" ||
    fail "md.*.S01-USD.* joiner's books differ: $(cut -c1-200 "$T/one.books")"
# the pattern joiners mid-stream got trades as well (live, not held)
for c in mid one; do
	n=$(sed -n 's/^trades //p' "$T/$c.out")
	[ "${n:-0}" -gt 0 ] || fail "$c joiner got no trades"
done
[ "$(metric wsgate_late_joins_total)" -ge 6 ] || fail "late joins not counted"
stop_wsgate
