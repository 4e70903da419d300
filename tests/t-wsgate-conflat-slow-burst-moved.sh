#!/bin/sh
# A client whose queue passes --output-cap within one loop turn, with
# book messages of a channel it has unconflated, before its move to
# conflation is made, has them dropped at once, as the move drops them,
# and is moved, not closed: it holds at most the cap and one message,
# and is closed with 1008 only when what the move leaves does not fit
# (wsgate(1) --output-cap, Conflation).  It was let hold up to twice the
# cap until the move, and cut past that, the book messages the move was
# to drop counted.  The fake Redis (tests/wsgate/fakeresp.py burst)
# sends snapshot 1 and 48 deltas, 12 KB framed, in one read of wsgate's
# (past twice the cap of 4096 bytes), then, 1 s later, snapshot 100.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# got100: the client got snapshot 100
got100() { grep -q '"seq":100' "$T/c.out"; }

fake_redis burst
start_wsgate --output-cap 4096
sub_client md.f.X.book
wait_for 20 got100 ||
    fail "no snapshot 100: $(tail -n 1 "$T/c.err")"
grep -q burst "$T/fake-burst.err" || fail "no burst sent"
grep -q '{"type":"conflated","channel":"md.f.X.book","max_hz":10,"reason":"slow client"}' \
    "$T/c.out" || fail "not told it is conflated: $(cut -c1-100 "$T/c.out")"
assert_eq "moves counted" 1 "$(metric wsgate_slow_client_conflations_total)"
assert_eq "slow disconnects" 0 "$(metric wsgate_slow_client_disconnects_total)"
stop_wsgate
