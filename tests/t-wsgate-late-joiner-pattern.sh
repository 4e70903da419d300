#!/bin/sh
# A client that subscribes by pattern mid-stream (md.sim.*, or
# md.*.S01-USD.* for one symbol) first gets, for every book channel of
# PREFIX.channels its pattern matches, the latest snapshot and the deltas
# since, then live updates: per channel its book is, level for level, the
# one of a client subscribed to the exact channels from the start, at the
# same seq, with no delta before a snapshot and no message twice.  Trades
# keep flowing to it meanwhile.  The data goes through the real redispub.
# The join point is fixed: the first half of the input is published, the
# joiners are at its last seqs, then the last delta of S01-USD and the one
# before it are published again (as redispub does after a reconnect) and
# must reach no client, then the rest flows.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

need_redispub

start_redis
start_wsgate
"$GEN" --count 9000 --symbols 3 --snapshot-every 700 >"$T/in"
half=4500
until=$(book_last_seqs <"$T/in")
until1=$(printf '%s\n' "$until" | tr , '\n' | grep S01-USD)
at=$(head -n "$half" "$T/in" | book_last_seqs)
at1=$(printf '%s\n' "$at" | tr , '\n' | grep S01-USD)
head -n "$half" "$T/in" | grep '"type":"book_delta".*S01-USD' | tail -n 2 \
    >"$T/again"
all=md.sim.S00-USD.book,md.sim.S01-USD.book,md.sim.S02-USD.book

# books_client NAME CHANNELS UNTIL [AT]: until the seqs UNTIL; AT
# creates NAME.at once the books are at those seqs
books_client() {
	wsc_bg books --url "$WS_URL" --channels "$2" --until "$3" \
	    --at "${4:-}" --at-file "$T/$1.at" --timeout 60 \
	    --ready "$T/$1.ready" >"$T/$1.out" 2>"$T/$1.err" &
}

books_client first "$all" "$until"
first=$!
track $first
wait_for 20 test -e "$T/first.ready" || fail "first client not subscribed"
feed_split "$half" 2000 30
books_client mid 'md.sim.*' "$until" "$at"
mid=$!
track $mid
books_client one 'md.*.S01-USD.*' "$until1" "$at1"
one=$!
track $one
wait_for 20 test -e "$T/mid.at" -a -e "$T/one.at" ||
    fail "joiners not at $at: $(cat "$T/mid.err" "$T/one.err")"
while IFS= read -r line; do
	rcli publish md.sim.S01-USD.book "$line" >/dev/null
done <"$T/again"
touch "$T/go"
feed_done
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
