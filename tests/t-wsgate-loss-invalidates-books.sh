#!/bin/sh
# t-wsgate-loss-invalidates-books: a loss announced in the stream reaches
# the WebSocket clients of the books it touches as {"type":"book_invalid"}
# (tickpipe(7)), with nothing but the book channels subscribed: the real
# redispub publishes the loss line again on each book channel it touches
# (redispub(1)), and wsgate turns it into book_invalid and holds the
# deltas after it back until the next snapshot.  The stream fed to
# redispub is rp-gen's with three losses cut into it: 40 lines dropped
# and a gap line in their place (both books), 40 lines of which those of
# S00-USD are dropped after a status "resync" of S00-USD (that book
# alone), 40 lines dropped after a status "disconnected" of the venue
# (both).  Clients checking each book message against the whole stream
# (wsclient.py exact: a delta that skips one of the whole stream fails
# it) on the two book channels and on md.*, must be told exactly so
# (S00-USD 3 times, S01-USD twice) and end with the input's books.  A
# client at max_hz 20 (conflated) is told too, and gets a snapshot, not
# a delta, as its next book message after each.  wsgate counts each
# notice in wsgate_book_invalid_total.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/wsgate/lib.sh"

need_redispub
start_redis
start_wsgate
C=md.sim.S00-USD.book
D=md.sim.S01-USD.book
"$GEN" --count 12000 --symbols 2 --snapshot-every 500 >"$T/in"
# the whole stream's book messages: CHANNEL SEQ TYPE
book_seqs <"$T/in" >"$T/seqs"
until=$(book_last_seqs <"$T/in")
# the stream with the losses cut in; a snapshot among the lines dropped
# would make the test mean less: refused
awk '
function seq(l) { sub(/.*"seq":/, "", l); sub(/[^0-9].*/, "", l); return l }
function status(s, sym, l) {
	return "{\"type\":\"status\",\"venue\":\"sim\"," \
	    (sym != "" ? "\"symbol\":\"" sym "\"," : "") "\"seq\":" seq(l) \
	    ",\"vseq\":0,\"ts\":1,\"recv\":1,\"status\":\"" s \
	    "\",\"reason\":\"test\"}"
}
NR == 3501 { print "{\"type\":\"gap\",\"from\":" seq($0) ",\"lost\":40}" }
NR == 6501 { print status("resync", "S00-USD", $0) }
NR == 9501 { print status("disconnected", "", $0) }
(NR > 3500 && NR <= 3540) || (NR > 9500 && NR <= 9540) ||
    (NR > 6500 && NR <= 6540 && /"symbol":"S00-USD"/) {
	if (/book_snapshot/) { print "a snapshot dropped: " NR > "/dev/stderr"; exit 1 }
	next
}
{ print }
' "$T/in" >"$T/fed" || fail "cutting the losses in"

exact x "$C,$D" "$until"
exact p 'md.*' "$until"
cfl_bg rec --url "$WS_URL" --channels "$C" --max-hz 20 \
    --stop-file "$T/stop" --ready "$T/cf.ready" --out "$T/cf.got" \
    2>"$T/cf.err" &
cfp=$!
track $cfp
wait_for 20 test -e "$T/x.ready" -a -e "$T/p.ready" -a -e "$T/cf.ready" ||
    fail "clients not subscribed"
paced 3000 <"$T/fed" | "$BIN/redispub" -u "$REDIS_URL" 2>"$T/redispub.err" &
feed=$!
track $feed
wait "$feed" || fail "redispub failed: $(tail -n 3 "$T/redispub.err")"
for c in x p; do
	eval "wait \$pid_$c" || fail "client $c: $(tail -n 3 "$T/$c.err")"
done
sleep 0.5		# the conflated client's last tick
touch "$T/stop"
wait $cfp || fail "conflated client: $(cat "$T/cf.err")"

for ch in $C $D; do
	/usr/bin/python3 "$TESTS/redispub/book.py" book "$ch" <"$T/in" |
	    sed "s/^/$ch /" >>"$T/want"
done
for c in x p; do
	grep -v invalid= "$T/$c.out" | cmp -s - "$T/want" ||
	    fail "client $c: its final books are not the input's"
	note "$c: $(grep invalid= "$T/$c.out" | paste -sd' ' -)"
	assert_eq "client $c: $C declared invalid" 3 \
	    "$(sed -n "s/^$C invalid=\([0-9]*\) .*/\1/p" "$T/$c.out")"
	assert_eq "client $c: $D declared invalid" 2 \
	    "$(sed -n "s/^$D invalid=\([0-9]*\) .*/\1/p" "$T/$c.out")"
done
# the conflated client: each book_invalid is followed by a snapshot
res=$(/usr/bin/python3 -c '
import json, sys
n, after, snaps, deltas = 0, False, 0, 0
for line in open(sys.argv[1]):
    m = json.loads(json.loads(line)["m"])
    t = m.get("type")
    if t == "book_invalid":
        if m.get("channel") != sys.argv[2]:
            sys.exit("book_invalid of %r" % m.get("channel"))
        n, after = n + 1, True
    elif t == "book_delta":
        if after:
            sys.exit("a delta after book_invalid %d, before a snapshot" % n)
        deltas += 1
    elif t == "book_snapshot":
        after, snaps = False, snaps + 1
if n == 0 or after:
    sys.exit("%d book_invalid, the last without a snapshot after it" % n)
print("%d book_invalid, %d snapshots, %d deltas" % (n, snaps, deltas))
' "$T/cf.got" "$C" 2>&1) || fail "conflated client: $res"
note "conflated client: $res"
# and counted, each notice once: x's 5, p's 5, the conflated client's
assert_eq "wsgate_book_invalid_total" $((10 + ${res%% *})) \
    "$(metric wsgate_book_invalid_total)"
stop_wsgate
