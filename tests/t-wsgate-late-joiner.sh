#!/bin/sh
# A client that subscribes to a book channel mid-stream (and one that
# comes after the stream ended) first gets the latest snapshot and the
# deltas since, then live updates: its book is, level for level, the one
# of a client that was there from the start, at the same seq.  The data
# goes through the real redispub (late-joiner keys C.snapshot/C.deltas).
# The join point is fixed: the first half of the input is published, the
# joiner is at its last seq, then that delta and the one before it are
# published again (as redispub does after a reconnect) and must reach no
# client, then the rest flows.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

need_redispub

start_redis
start_wsgate
ch=md.sim.S00-USD.book
"$GEN" --count 6000 --symbols 1 --snapshot-every 700 >"$T/in"
half=3000
final=$(book_last_seqs <"$T/in" | cut -d= -f2)
k=$(head -n "$half" "$T/in" | book_last_seqs | cut -d= -f2)
head -n "$half" "$T/in" | grep '"type":"book_delta"' | tail -n 2 >"$T/again"

# book_client NAME ARGS...: a client building the book until seq $final
book_client() {
	_bc=$1
	shift
	wsc_bg sub --url "$WS_URL" --channels "$ch" --book --until-seq "$final" \
	    --timeout 60 --ready "$T/$_bc.ready" "$@" >"$T/$_bc.out" \
	    2>"$T/$_bc.err" &
}

book_client first
first=$!
track $first
wait_for 20 test -e "$T/first.ready" || fail "first client not subscribed"
feed_split "$half" 1500 30
book_client mid --at "$ch=$k" --at-file "$T/mid.at"
mid=$!
track $mid
wait_for 20 test -e "$T/mid.at" || fail "joiner not at seq $k: $(cat "$T/mid.err")"
while IFS= read -r line; do
	rcli publish "$ch" "$line" >/dev/null
done <"$T/again"
touch "$T/go"
feed_done
book_client after
after=$!
track $after
for c in first mid after; do
	eval "wait \$$c" || fail "client $c: $(cat "$T/$c.err")"
done
n=$(sed -n 2p "$T/first.out" | /usr/bin/python3 -c \
    'import json,sys; b=json.load(sys.stdin); print(len(b["bids"]), len(b["asks"]), b["seq"])')
note "joined at seq $k; final book: bids asks seq = $n"
for c in mid after; do
	cmp -s "$T/first.out" "$T/$c.out" ||
	    fail "$c joiner's book differs: $(sed -n 2p "$T/$c.out" | cut -c1-200)"
done
[ "$(metric wsgate_late_joins_total)" -ge 3 ] || fail "late joins not counted"
stop_wsgate
