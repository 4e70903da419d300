#!/bin/sh
# A conflator holds the live messages of its book that come while its
# keys are read as the book-read hold does, and the client queue: past
# 8 MiB without their largest one (wsgate(1), Conflation).  Counted
# whole, one message larger than the room left gave the read up, and a
# client that joined at max_hz got neither the keys' book nor the held
# messages, only the next live snapshot.  The fake Redis
# (tests/wsgate/fakeresp.py slowreadfull) answers the read 1 s late
# with snapshot 10 and delta 11, sending live deltas 12 (short) and 13
# (one byte past what 12 leaves of 8 MiB) meanwhile, then snapshot 20
# and delta 21: the client's first book is the read's, at seq 13.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

# seqs: the seqs of the data messages the client got, in order
seqs() { cfl seqs "$T/got"; }
# got21: the client got the book at seq 21
got21() { seqs | grep -qw 21; }

fake_redis slowreadfull
start_wsgate
cfl_bg rec --url "$WS_URL" --channels md.f.X.book --max-hz 1000 \
    --ready "$T/got.ready" --stop-file "$T/stop" --out "$T/got" \
    2>"$T/got.err" &
rec=$!
track $rec
wait_for 20 test -e "$T/got.ready" || fail "client not subscribed"
wait_for 20 got21 ||
    fail "no book at seq 21: got '$(seqs)': $(tail -n 5 "$T/wsgate.log")"
touch "$T/stop"
wait "$rec" || fail "client: $(cat "$T/got.err")"
grep -q held "$T/fake-slowreadfull.err" ||
    fail "nothing held: the read not slow"
assert_eq "first book (seq)" 13 "$(seqs | cut -d' ' -f1)"
stop_wsgate
