#!/bin/sh
# Late joiners whose history is more than --output-cap are not cut: the
# snapshots and deltas of 8 deep books (50 levels a side), each book's
# history alone over the cap and all of it 14 times the cap.  Five
# clients subscribe to md.sim.*.book at once while the stream goes on;
# each gets every book's history and then the live messages, and ends
# with the books of a client that was there from the start; none is
# closed as slow.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

need_redispub

start_redis
cap=262144
start_wsgate --output-cap "$cap"
"$GEN" --count 48000 --symbols 8 --levels 50 --snapshot-every 10000 \
    >"$T/in"
half=40000
until=$(book_last_seqs <"$T/in")
# the history at the join: each book's last snapshot and the deltas since
hist=$(head -n "$half" "$T/in" | /usr/bin/python3 -c '
import json, sys
h = {}
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "book_snapshot":
        h[m["symbol"]] = len(line)
    elif m["type"] == "book_delta":
        h[m["symbol"]] += len(line)
print(sum(h.values()))')
[ "$hist" -gt $((8 * cap)) ] || fail "history of $hist bytes is not over 8 books' cap"

# books_client NAME: md.sim.*.book until the last seqs
books_client() {
	wsc_bg books --url "$WS_URL" --channels 'md.sim.*.book' \
	    --until "$until" --timeout 60 --ready "$T/$1.ready" \
	    >"$T/$1.out" 2>"$T/$1.err" &
	eval "pid_$1=\$!"
	track $!
}
books_client first
wait_for 20 test -e "$T/first.ready" || fail "first client not subscribed"
feed_split "$half" 4000 60
hwm0=$(awk '/^VmHWM/ { print $2 }' "/proc/$WS_PID/status")
t0=$(date +%s%N)
for c in j1 j2 j3 j4 j5; do
	books_client $c
done
touch "$T/go"
for c in first j1 j2 j3 j4 j5; do
	eval "wait \$pid_$c" || fail "client $c: $(tail -n 2 "$T/$c.err")"
done
took=$((($(date +%s%N) - t0) / 1000000))
hwm1=$(awk '/^VmHWM/ { print $2 }' "/proc/$WS_PID/status")
feed_done
note "history $hist bytes per joiner (cap $cap); 5 joiners done in $took ms; wsgate peak RSS $hwm0 -> $hwm1 KiB"
[ "$(wc -l <"$T/first.out")" -eq 9 ] || fail "first client: not 8 books"
for c in j1 j2 j3 j4 j5; do
	cmp -s "$T/first.out" "$T/$c.out" ||
	    fail "joiner $c's books differ: $(cut -c1-200 "$T/$c.out" | head -n 3)"
done
assert_eq "slow clients" 0 "$(metric wsgate_slow_client_disconnects_total)"
stop_wsgate
