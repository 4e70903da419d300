#!/bin/sh
# While Redis holds still (SIGSTOP), a client subscribing and
# unsubscribing ever new channel names makes wsgate send a SUBSCRIBE
# for each that Redis does not answer: wsgate(1) refuses a channel no
# client has once 65536 subscribes and unsubscribes wait, with an error
# frame and wsgate_subscription_backlog_total, so its queue of commands
# and memory stay bounded.  A channel another client has is still
# answered at once, and once Redis answers again a new one is too.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
N=67000

wsc_bg sub --url "$WS_URL" --channels md.held.trade --timeout 120 \
    --ready "$T/held.ready" >"$T/held.out" 2>&1 &
track $!
wait_for 20 test -e "$T/held.ready" || fail "md.held.trade: $(cat "$T/held.out")"
rss0=$(rss_kb "$WS_PID")

kill -STOP "$REDIS_PID"
wsc churn --url "$WS_URL" --count "$N" --timeout 60 >"$T/churn.out" \
    2>"$T/churn.err" || { kill -CONT "$REDIS_PID"; fail "$(cat "$T/churn.err")"; }
note "$(cat "$T/churn.out")"
rss1=$(rss_kb "$WS_PID")
refused=$(metric wsgate_subscription_backlog_total)
wsc sub --url "$WS_URL" --channels md.held.trade --timeout 1 \
    >"$T/again.out" 2>&1
kill -CONT "$REDIS_PID"

# refused: those past the 65536th SUBSCRIBE in flight (a few fewer if
# wsgate had other commands waiting too)
r=$(sed -n "s/^$N subscribes, $N unsubscribed, \([0-9]*\) refused, the last: md\.churn\.$((N - 1))\.trade: Redis is not answering (65536 subscribes and unsubscribes wait for it): subscribe later\$/\1/p" \
    "$T/churn.out")
[ -n "$r" ] && [ "$r" -le $((N - 65536)) ] && [ "$r" -ge $((N - 65536 - 16)) ] ||
    fail "refusals: $(cat "$T/churn.out")"
assert_eq "wsgate_subscription_backlog_total" "$r" "$refused"
note "wsgate RSS ${rss0} kB before, ${rss1} kB with the commands queued"
grep -q '"type": *"subscribed"' "$T/again.out" ||
    fail "a channel another client has, while Redis holds still: $(cat "$T/again.out")"

wsc sub --url "$WS_URL" --channels md.after.trade --timeout 1 \
    >"$T/after.out" 2>&1
grep -q '"type": *"subscribed"' "$T/after.out" ||
    fail "a new channel once Redis answers: $(cat "$T/after.out")"
