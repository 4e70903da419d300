#!/bin/sh
# t-redispub-loss-ends-keys: a loss announced in the stream ends the
# late-joiner keys of the books it touches until their next snapshot
# (redispub(1), tickpipe(7) "Late joiners"): a gap line every book's, a
# status "resync" of a symbol that book's, a status "disconnected" (or
# "resync") of a venue all its books'.  A late joiner that came after the
# loss never sees its message, so keys from before it, read then, would
# rebuild a wrong book with nothing said.  After part a (keys of both
# books set), a gap line: both books' keys are gone at once, no delta
# after it is appended to them (part b), and each book's next snapshot
# (part c) brings its keys back whole.  Then, after part a again, a
# resync of one symbol, and a disconnection of the venue (with a symbol,
# still the venue's); a resync whose symbol names no channel (the
# venue's books); two gap lines around a snapshot in one batch.  Each
# loss line is also published on every book channel it touches, and on
# no other.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
D=md.sim.S01-USD.book
start_redis

none_left() { test "$(rcli exists "$C.snapshot" "$C.deltas" "$D.snapshot" "$D.deltas")" = 0; }

keys_parts "$C"
keys_feed_a "$C"
[ "$(rcli exists "$D.snapshot")" = 1 ] || fail "no snapshot key of $D after part a"
last=$(tail -n 1 "$T/a" | sed 's/.*"seq":\([0-9]*\).*/\1/')
# book_subs N: a subscriber of both book channels, for N messages
book_subs() {
	"$SUB" -c -n "$1" -t 20 -P "$REDIS_PORT" "$C" "$D" >"$T/lsub" \
	    2>"$T/lsub.err" &
	lp=$!
	track "$lp"
	wait_for 10 subscribed 2 || fail "the book subscriber did not subscribe"
}
# loss_seen WHAT: the lines it got are the loss line $1 on the channels
# in $2
loss_seen() {
	wait "$lp" || fail "book subscriber: $(cat "$T/lsub.err")"
	for ch in $2; do
		printf '%s\t%s\n' "$ch" "$1"
	done | sort >"$T/lwant"
	sort "$T/lsub" | cmp -s - "$T/lwant" ||
	    fail "on the book channels after $1: $(cat "$T/lsub"), not the line on each of $2"
}
gapline="{\"type\":\"gap\",\"from\":$((last + 1)),\"lost\":40}"
book_subs 2
echo "$gapline" >&3
loss_seen "$gapline" "$C $D"
wait_for 20 none_left ||
    fail "keys kept after a gap line: $C.snapshot $(rcli exists "$C.snapshot"), $C.deltas of $(rdeltas "$C.deltas" | wc -l) lines, $D.snapshot $(rcli exists "$D.snapshot")"
# a delta of each book after the gap, published, and still no keys
nb=$(cat "$T/b1" "$T/b2" | grep -c "book_delta.*S00-USD")
"$SUB" -n "$nb" -t 20 -P "$REDIS_PORT" "$C" >"$T/sub" 2>"$T/sub.err" &
sp=$!
track "$sp"
wait_for 10 subscribed 1 || fail "the subscriber did not subscribe"
cat "$T/b1" "$T/b2" >&3
wait "$sp" || fail "subscriber: $(cat "$T/sub.err")"
assert_eq "deltas of $C published after the gap" "$nb" "$(grep -c . "$T/sub")"
none_left || fail "deltas after the gap were appended to keys: $C.deltas of $(rdeltas "$C.deltas" | wc -l) lines, $D.deltas of $(rdeltas "$D.deltas" | wc -l)"
cat "$T/c" >&3
exec 3>&-
wait "$RP_PID"
assert_eq "exit status" 0 "$?"
book keys "$C" <"$T/in" >"$T/keys.want"
{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
cmp -s "$T/keys.want" "$T/keys.got" ||
    fail "after the next snapshot the keys do not hold it and the deltas after it"
note "$(wc -l <"$T/keys.want") lines in the rebuilt keys of $C"

# statuses: part a again (its snapshots set both books' keys)
keys_feed_a "$C"
[ "$(rcli exists "$D.snapshot")" = 1 ] || fail "no snapshot key of $D after part a"
status() {	# STATUS [SYMBOL]
	echo "{\"type\":\"status\",\"venue\":\"sim\",${2:+\"symbol\":\"$2\",}\"seq\":$((last + 1)),\"vseq\":0,\"ts\":1,\"recv\":1,\"status\":\"$1\",\"reason\":\"test\"}"
}
c_gone() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0; }
book_subs 1
status resync S00-USD >&3
wait_for 20 c_gone || fail "the keys of $C were kept after its resync status"
[ "$(rcli exists "$D.snapshot")" = 1 ] || fail "a resync of S00-USD deleted the keys of $D"
loss_seen "$(status resync S00-USD)" "$C"
book_subs 2
status info >&3
status disconnected S00-USD >&3		# a disconnection is of the venue
wait_for 20 none_left || fail "the keys of $D were kept after the venue's disconnected status"
loss_seen "$(status disconnected S00-USD)" "$C $D"
exec 3>&-
wait "$RP_PID"
assert_eq "exit status" 0 "$?"

# a resync whose symbol names no channel ends every book of its venue,
# and the line is published, not refused
keys_feed_a "$C"
status resync bad.symbol >&3
wait_for 20 none_left || fail "the keys were kept after a resync of a symbol that names no channel"
exec 3>&-
wait "$RP_PID"
assert_eq "exit status" 0 "$?"
assert_eq "lines refused as malformed" 0 "$(counter malformed "$T/err")"

# two losses in one batch with a snapshot of C between them, D's keys
# gone before: each DEL names keys (none is sent without), nothing is
# refused
keys_feed_a "$C"
status resync S01-USD >&3
d_gone() { test "$(rcli exists "$D.snapshot" "$D.deltas")" = 0; }
wait_for 20 d_gone || fail "the keys of $D were kept after its resync"
gap="{\"type\":\"gap\",\"from\":$((last + 1)),\"lost\":1}"
printf '%s\n%s\n%s\n' "$gap" "$(head -n 1 "$T/c")" "$gap" >&3
exec 3>&-
wait "$RP_PID"
assert_eq "exit status" 0 "$?"
assert_eq "lines dropped" 0 "$(counter dropped "$T/err")"
none_left || fail "the keys were kept after the second gap line"
