#!/bin/sh
# While Redis holds still (SIGSTOP), a client subscribing and
# unsubscribing ever new channel names makes wsgate send a SUBSCRIBE
# for each that Redis does not answer: wsgate(1) refuses a channel no
# client has once 65536 subscribes and unsubscribes wait, the oldest for
# a second, with an error frame and wsgate_subscription_backlog_total,
# so its queue of commands stays bounded.  A channel another client has
# is still answered at once, and once Redis answers again a new one is
# too.
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
# the oldest command in flight: a SUBSCRIBE more than a second old
wsc_bg sub --url "$WS_URL" --channels md.first.trade --timeout 60 \
    >"$T/first.out" 2>&1 &
track $!
sleep 1.2
wsc churn --url "$WS_URL" --count "$N" --timeout 60 >"$T/churn.out" \
    2>"$T/churn.err" || { kill -CONT "$REDIS_PID"; fail "$(cat "$T/churn.err")"; }
note "$(cat "$T/churn.out")"
rss1=$(rss_kb "$WS_PID")
refused=$(metric wsgate_subscription_backlog_total)
wsc sub --url "$WS_URL" --channels md.held.trade --timeout 1 \
    >"$T/again.out" 2>&1
kill -CONT "$REDIS_PID"

# refused: those past the 65536th command in flight (a few more if
# wsgate had others waiting too: md.first.trade's)
r=$(sed -n "s/^$N subscribes, $N unsubscribed, \([0-9]*\) refused, the last: md\.churn\.$((N - 1))\.trade: Redis is not answering ([0-9]* subscribes and unsubscribes wait for it): subscribe later\$/\1/p" \
    "$T/churn.out")
[ -n "$r" ] && [ "$r" -ge $((N - 65536)) ] && [ "$r" -le $((N - 65536 + 16)) ] ||
    fail "refusals: $(cat "$T/churn.out")"
assert_eq "wsgate_subscription_backlog_total" "$r" "$refused"
note "wsgate RSS ${rss0} kB before, ${rss1} kB with the commands queued"
# answered: the channel listed, no error frame
answered() {
	grep -q "\"type\": \"subscribed\", \"channels\": \[\"$1\"\]" "$2" &&
	    ! grep -q '"type": "error"' "$2"
}
answered md.held.trade "$T/again.out" ||
    fail "a channel another client has, while Redis holds still: $(cat "$T/again.out")"

# once Redis has answered the backlog (an UNSUBSCRIBE for each of the
# churned channels follows), a new channel is subscribed
new_channel() {
	wsc sub --url "$WS_URL" --channels md.after.trade --timeout 1 \
	    >"$T/after.out" 2>&1
	answered md.after.trade "$T/after.out"
}
wait_for 20 new_channel ||
    fail "a new channel once Redis answers: $(cat "$T/after.out")"
