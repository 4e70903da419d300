#!/bin/sh
# On a Redis Cluster, a node that takes an SSUBSCRIBE, drops the
# channel at once (sunsubscribe, as when its slot moves) and refuses it
# the next time with an error that passes (-TRYAGAIN) is asked again
# with the backoff growing, 100 ms doubling to 5 s (wsgate(1) CLUSTER):
# the backoff starts again from 100 ms only after the subscriptions and
# the slot map stayed good 5 s.  Each SSUBSCRIBE taken, and each slot
# map read, reset it, so the channel was refused every 100 ms for ever
# (about 36 times in 4 s).  In 4 s: 100+200+400+800+1600 ms, 5
# refusals, say 8.  The fake node is tests/wsgate/fakeresp.py flap,
# which names itself for every slot.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis flap
# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$FAKE_PORT"
start_wsgate
sub_client md.f.X.trade
flap_backs_off SSUBSCRIBE
stop_wsgate
