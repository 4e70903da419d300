#!/bin/sh
# A latest-value channel's read of its C.last key that Redis never
# answers does not stall the channel: the command connection is lost
# after --redis-timeout, the read dropped, and the live quotes held
# meanwhile reach the client, then those after (they stalled for as
# long as the read hung, for ever).  The fake Redis is
# tests/wsgate/fakeresp.py readhang.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis readhang
start_wsgate --redis-timeout 1
sub_client md.f.X.quote
wait_for 20 grep -q '"seq":30' "$T/c.out" ||
    fail "quotes stalled: $(grep -c '"type":"quote"' "$T/c.out") quotes got; $(tail -n 3 "$T/wsgate.log")"
grep -q 'redis commands: no reply in 1000 ms' "$T/wsgate.log" ||
    fail "the hung read not said: $(tail -n 3 "$T/wsgate.log")"
stop_wsgate
