#!/bin/sh
# On a Redis Cluster, a node that takes each SSUBSCRIBE and drops the
# channel at once (sunsubscribe, as when its slot moves away), again and
# again, is asked again with the backoff growing, 100 ms doubling to
# 5 s, as one that refuses it is (wsgate(1) CLUSTER).  A drop was
# followed by a map read and the SSUBSCRIBE again after a fixed 10 ms,
# so such a node was asked hundreds of times in 4 s.  In 4 s:
# 100+200+400+800+1600 ms, about 5, say 8.  The fake node is
# tests/wsgate/fakeresp.py slip, which names itself for every slot.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/fakeresp.sh"

fake_redis slip
# shellcheck disable=SC2034 # read by start_wsgate
REDIS_URL="cluster://127.0.0.1:$FAKE_PORT"
start_wsgate
sub_client md.f.X.trade
flap_backs_off SSUBSCRIBE slip taken
stop_wsgate
