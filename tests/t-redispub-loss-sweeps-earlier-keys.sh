#!/bin/sh
# t-redispub-loss-sweeps-earlier-keys: a loss line ends the late-joiner
# keys of the books it makes wrong (tickpipe(7) "Late joiners"), also
# those a redispub before this one left, on which this one has not
# published: a restarted redispub whose first line is a gap, then one
# whose first line is a status "disconnected" of the venue.  Their keys
# go, and the line is published on the book channel, where a subscriber
# of it alone learns that its book is wrong (the pipeline's book
# channels: PREFIX.tickpipe.books).  A status "connected" ends nothing.
# Each used to leave the keys, which a late joiner would have rebuilt a
# book from and applied the deltas after the loss to.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
start_redis

keys_there() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 2; }
keys_gone() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0; }

# publish_a: part a by a redispub of its own, which exits: keys of C
publish_a() {
	"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/a" 2>"$T/err" ||
	    fail "redispub of part a: exit $?: $(tail -n 1 "$T/err")"
	keys_there || fail "no keys of $C after part a"
}

# restart_with NAME LINE: a subscriber of C alone, then a redispub whose
# only line is LINE: C's keys must be gone, and the subscriber have LINE
restart_with() {
	"$SUB" -n 1 -T 20 -P "$REDIS_PORT" "$C" >"$T/$1.sub" 2>"$T/$1.suberr" &
	_sp=$!
	track "$_sp"
	wait_for 10 subscribed 1 || fail "$1: the subscriber did not subscribe"
	echo "$2" | "$RP" -u "$REDIS_URL" --stats-interval 0 2>"$T/$1.err" ||
	    fail "$1: redispub exit $?: $(tail -n 1 "$T/$1.err")"
	keys_gone || fail "$1: the keys of $C an earlier redispub left stay"
	wait "$_sp" || fail "$1: the subscriber of $C alone got nothing: $(cat "$T/$1.sub")"
	assert_eq "$1: on $C" "$2" "$(cat "$T/$1.sub")"
}

keys_parts "$C"
publish_a
restart_with gap '{"type":"gap","from":999999,"lost":10}'
assert_eq "the pipeline's book channels" "$(printf '%s\n' md.sim.S00-USD.book md.sim.S01-USD.book)" \
    "$(rcli smembers md.tickpipe.books | sort)"
publish_a
restart_with disconnected '{"type":"status","venue":"sim","seq":5000,"vseq":0,"ts":1,"recv":1,"status":"disconnected","reason":"test"}'
publish_a
echo '{"type":"status","venue":"sim","seq":5001,"vseq":0,"ts":1,"recv":1,"status":"connected","reason":"test"}' |
    "$RP" -u "$REDIS_URL" --stats-interval 0 2>"$T/err" || fail "redispub: exit $?"
keys_there || fail "a status connected ended the keys of $C"
# another venue's status ends none of sim's
publish_a
echo '{"type":"status","venue":"sim2","seq":5002,"vseq":0,"ts":1,"recv":1,"status":"disconnected","reason":"test"}' |
    "$RP" -u "$REDIS_URL" --stats-interval 0 2>"$T/err" || fail "redispub: exit $?"
keys_there || fail "a status of sim2 ended the keys of $C"
