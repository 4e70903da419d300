#!/bin/sh
# wsgate keeps, per channel, the patterns that match it, and finds them
# again when a pattern comes or goes (wsgate(1) DESCRIPTION): a
# pattern subscribed after a channel's list was made gets its messages;
# one whose last client left is not read again from a kept list
# (the sanitizer build would see a freed one read); a client subscribing and
# unsubscribing 64 patterns matching kept channels 10 times over, with
# messages on those channels meanwhile, leaves the others' deliveries
# whole.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
pub() { redis-cli -p "$REDIS_PORT" publish "$1" "$2" >/dev/null; }

# A: a pattern, so that every channel under md. gets its list
wsc_bg sub --url "$WS_URL" --channels 'md.a.*' --count 4 --timeout 60 \
    --ready "$T/a.ready" >"$T/a.out" 2>&1 &
a=$!
track $a
wait_for 20 test -e "$T/a.ready" || fail "A: $(cat "$T/a.out")"
i=0
while [ $i -lt 2000 ]; do
	echo "PUBLISH md.c.$i.trade {}"
	i=$((i + 1))
done | redis-cli -p "$REDIS_PORT" >/dev/null
pub md.b.1.trade '{"seq":1}'
pub md.a.1.trade '{"seq":1}'
wait_for 10 metric_is wsgate_messages_in_total 2002 ||
    fail "messages in: $(metric wsgate_messages_in_total)"

# B: a pattern matching md.b.1.trade, whose list was made without it
wsc_bg sub --url "$WS_URL" --channels 'md.b.*' --count 1 --timeout 20 \
    --ready "$T/b.ready" >"$T/b.out" 2>&1 &
b=$!
track $b
wait_for 20 test -e "$T/b.ready" || fail "B: $(cat "$T/b.out")"
pub md.b.1.trade '{"seq":2}'
wait "$b" || fail "B, subscribed to md.b.* after md.b.1.trade's list was made: $(cat "$T/b.out")"
grep -q '"seq":2' "$T/b.out" || fail "B: $(cat "$T/b.out")"

# B gone, its pattern with it: md.b.1.trade's list is made again
wait_for 10 metric_is wsgate_subscriptions 1 ||
    fail "subscriptions: $(metric wsgate_subscriptions)"
pub md.b.1.trade '{"seq":3}'
pub md.a.1.trade '{"seq":2}'

# C: md.c.7.*, held through the churn
# 640 on md.c.7.trade numbered, 10 more from the churn
wsc_bg sub --url "$WS_URL" --channels 'md.c.7.*' --count 650 --timeout 60 \
    --ready "$T/c.ready" >"$T/c.out" 2>&1 &
c=$!
track $c
wait_for 20 test -e "$T/c.ready" || fail "C: $(cat "$T/c.out")"

# churn: 64 patterns, each matching a kept channel, subscribed and
# unsubscribed 10 times over, a message published on its channel and
# one on md.c.7.trade after each: every list made again and again
/usr/bin/python3 "$TESTS/wsgate/subconf.py" patchurn "$WS_URL" "$REDIS_PORT" \
    >"$T/churn.out" 2>&1 || fail "churn: $(cat "$T/churn.out")"
pub md.a.1.trade '{"seq":3}'
pub md.a.1.trade '{"seq":4}'
wait "$a" || fail "A: $(cat "$T/a.out")"
assert_eq "A's messages" '{"seq":1} {"seq":2} {"seq":3} {"seq":4}' \
    "$(grep -o '{"seq":[0-9]*}' "$T/a.out" | tr '\n' ' ' | sed 's/ $//')"
wait "$c" || fail "C: $(tail -n 3 "$T/c.out")"
grep -o '{"seq":[0-9]*}' "$T/c.out" | tr -dc '0-9\n' >"$T/c.seqs"
seq 1 640 | cmp -s - "$T/c.seqs" ||
    fail "C's messages on md.c.7.trade: not seq 1 to 640 in order ($(wc -l <"$T/c.seqs") lines, $(head -c 60 "$T/c.seqs" | tr '\n' ' ')...)"
