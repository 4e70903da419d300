#!/bin/sh
# A live message of a book channel larger than --output-cap that comes
# while a late joiner's keys are read is held with the rest and sent
# after them: the live messages held then count against the cap, as a
# client's queue does, without their largest one (wsgate(1)
# --output-cap: a client holds at most the cap and one message).
# Counted whole, it gave the read up: the client got neither the keys'
# snapshot and delta nor the messages held, only the next live snapshot.
# The fake Redis (tests/wsgate/fakeresp.py slowread) answers the read 1
# s late with snapshot 10 and delta 11, sending live deltas 12 (6 KB,
# the cap 4096 bytes) and 13 meanwhile, then snapshot 20 and delta 21.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# seqs: the seqs of the book messages the client got, in order
seqs() {
	sed -n 's/.*"type":"book_[a-z]*".*"seq":\([0-9]*\),.*/\1/p' \
	    "$T/c.out" | tr '\n' ' ' | sed 's/ $//'
}
fake_redis slowread
start_wsgate --output-cap 4096
sub_client md.f.X.book
wait_for 20 grep -q '"seq":21' "$T/c.out" ||
    fail "no delta 21: got '$(seqs)': $(tail -n 5 "$T/wsgate.log")"
grep -q held "$T/fake-slowread.err" || fail "nothing held: the read not slow"
assert_eq "book messages" "10 11 12 13 20 21" "$(seqs)"
stop_wsgate
