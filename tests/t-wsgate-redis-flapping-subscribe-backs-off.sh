#!/bin/sh
# A Redis that takes a SUBSCRIBE, drops the channel at once and refuses
# it the next time with an error that passes (-LOADING) is asked again
# with the backoff growing, 100 ms doubling to 5 s: the subscription
# backoff, as a connection's, starts again from 100 ms only after the
# subscriptions stayed good 5 s (wsgate(1)).  Each SUBSCRIBE taken reset
# it, so the channel was refused every 100 ms for ever (about 36 times
# in 4 s).  In 4 s: 100+200+400+800+1600 ms, 5 refusals, say 8.  The
# fake Redis is tests/wsgate/fakeresp.py flap.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis flap
start_wsgate
sub_client md.f.X.trade
flap_backs_off SUBSCRIBE
stop_wsgate
