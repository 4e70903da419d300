#!/bin/sh
# Fan-out from Redis to WebSocket clients: exact channels and patterns,
# unsubscribe, one Redis subscription shared by all clients and released
# with the last one, client patterns matched in wsgate under one covering
# Redis pattern (taken and given back without losing or doubling a
# message), and a message matching two subscriptions of one client
# delivered once.  Payloads arrive unchanged.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

# sub NAME CHANNELS COUNT: a client in the background, ready when subscribed
sub() {
	wsc_bg sub --url "$WS_URL" --channels "$2" --count "$3" --timeout 30 \
	    --ready "$T/$1.ready" >"$T/$1.out" 2>"$T/$1.err" &
	eval "pid_$1=\$!"
	track $!
	wait_for 20 test -e "$T/$1.ready" || fail "client $1 not subscribed"
}
numsub() { rcli pubsub numsub "$1" | sed -n 2p; }
numpat() { rcli pubsub numpat; }
numsub_is() { test "$(numsub "$1")" = "$2"; }
numpat_is() { test "$(numpat)" = "$1"; }

test_exact_and_pattern_subscriptions_get_their_messages() {
	sub a md.sim.BTC-USD.trade 2
	sub b 'md.*.BTC-USD.*' 3
	sub c md.sim.BTC-USD.trade 2
	# the client pattern is matched in wsgate under one Redis pattern,
	# md.*, which carries the exact channel too
	assert_eq "redis patterns" 1 "$(numpat)"
	assert_eq "exact channel carried by the pattern" 0 \
	    "$(numsub md.sim.BTC-USD.trade)"
	rcli publish md.sim.BTC-USD.trade '{"type":"trade","seq":1,"price":"1.50"}' >/dev/null
	rcli publish md.sim.ETH-USD.trade '{"type":"trade","seq":2}' >/dev/null
	rcli publish md.sim.BTC-USD.book '{"type":"status","seq":3}' >/dev/null
	rcli publish md.sim.BTC-USD.trade '{"type":"trade","seq":4,"x":"\u00e9"}' >/dev/null
	# shellcheck disable=SC2154
	wait "$pid_a" || fail "client a: $(cat "$T/a.err")"
	# shellcheck disable=SC2154
	wait "$pid_b" || fail "client b: $(cat "$T/b.err")"
	# shellcheck disable=SC2154
	wait "$pid_c" || fail "client c: $(cat "$T/c.err")"
	assert_eq "exact client" '{"type":"trade","seq":1,"price":"1.50"}
{"type":"trade","seq":4,"x":"\u00e9"}' "$(tail -n 2 "$T/a.out")"
	assert_eq "pattern client" '1 3 4' \
	    "$(tail -n 3 "$T/b.out" | sed 's/.*"seq":\([0-9]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
	cmp -s "$T/a.out" "$T/c.out" || fail "clients a and c differ"
}

test_last_client_leaving_releases_the_redis_subscription() {
	wait_for 10 numsub_is md.sim.BTC-USD.trade 0 ||
	    fail "channel still subscribed after its clients left"
	wait_for 10 numpat_is 0 || fail "pattern still subscribed"
}

test_one_redis_subscription_shared_by_clients() {
	sub d md.sim.ETH-USD.trade 1
	sub e md.sim.ETH-USD.trade 1
	assert_eq "one redis subscription for two clients" 1 \
	    "$(numsub md.sim.ETH-USD.trade)"
	assert_eq "no pattern" 0 "$(numpat)"
	rcli publish md.sim.ETH-USD.trade '{"type":"trade","seq":5}' >/dev/null
	# shellcheck disable=SC2154
	wait "$pid_d" || fail "client d: $(cat "$T/d.err")"
	# shellcheck disable=SC2154
	wait "$pid_e" || fail "client e: $(cat "$T/e.err")"
	wait_for 10 numsub_is md.sim.ETH-USD.trade 0 ||
	    fail "channel still subscribed after its clients left"
}

# While a client on an exact channel gets a stream, another takes and
# drops a pattern again and again: wsgate moves the channel onto the
# covering pattern and back; the first client gets every message once.
test_pattern_coming_and_going_loses_and_doubles_nothing() {
	n=3000
	wsc_bg sub --url "$WS_URL" --channels md.t.x.trade --count "$n" \
	    --timeout 60 --ready "$T/t.ready" >"$T/t.out" 2>"$T/t.err" &
	t=$!
	track $t
	wait_for 20 test -e "$T/t.ready" || fail "client t not subscribed"
	cat >"$T/flap.py" <<'PY'
import asyncio, json, sys, time
import websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        end = time.monotonic() + float(sys.argv[2])
        k = 0
        while time.monotonic() < end:
            op = "subscribe" if k % 2 == 0 else "unsubscribe"
            await ws.send(json.dumps({"op": op, "channels": ["md.t.*"]}))
            while json.loads(await ws.recv()).get("type") != op + "d":
                pass
            k += 1
            await asyncio.sleep(0.01)
        print(k)
asyncio.run(main())
PY
	/usr/bin/python3 "$T/flap.py" "$WS_URL" 4 >"$T/flap.out" 2>&1 &
	flap=$!
	track $flap
	/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" md.t.x.trade \
	    "$n" --rate 1000 >/dev/null
	wait "$flap" || fail "flapping client: $(cat "$T/flap.out")"
	wait "$t" || fail "client t: $(cat "$T/t.err")"
	got=$(grep -c '"type":"trade"' "$T/t.out")
	uniq=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/t.out" | sort -un | wc -l)
	note "pattern taken and dropped $(cat "$T/flap.out") times during $n messages"
	assert_eq "messages to the exact client" "$n" "$got"
	assert_eq "distinct messages" "$n" "$uniq"
}

test_unsubscribe_stops_delivery() {
	cat >"$T/unsub.py" <<'PY'
import asyncio, json, subprocess, sys
import websockets
url, port = sys.argv[1], sys.argv[2]
def pub(ch, m):
    subprocess.run(["redis-cli", "-p", port, "publish", ch, m], check=True,
                   stdout=subprocess.DEVNULL)
async def main():
    async with websockets.connect(url) as ws:
        async def rx():
            return json.loads(await asyncio.wait_for(ws.recv(), 20))
        await ws.send(json.dumps({"op": "subscribe", "channels": ["md.u.a", "md.u.*"]}))
        assert (await rx())["type"] == "subscribed"
        pub("md.u.a", '{"n":1}')
        assert await rx() == {"n": 1}      # once, though two subscriptions match
        await ws.send(json.dumps({"op": "unsubscribe", "channels": ["md.u.*"]}))
        assert await rx() == {"type": "unsubscribed", "channels": ["md.u.*"]}
        pub("md.u.b", '{"n":2}')
        pub("md.u.a", '{"n":3}')
        assert await rx() == {"n": 3}
        await ws.send(json.dumps({"op": "unsubscribe", "channels": ["md.u.a"]}))
        assert (await rx())["type"] == "unsubscribed"
        pub("md.u.a", '{"n":4}')
        await ws.send(json.dumps({"op": "ping"}))
        assert await rx() == {"type": "pong"}, "message after unsubscribe"
asyncio.run(main())
PY
	/usr/bin/python3 "$T/unsub.py" "$WS_URL" "$REDIS_PORT" ||
	    fail "unsubscribe"
}

test_channels_op_lists_known_channels() {
	rcli sadd md.channels md.sim.BTC-USD.trade md.sim.BTC-USD.book >/dev/null
	cat >"$T/chan.py" <<'PY'
import asyncio, json, sys
import websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send(json.dumps({"op": "channels"}))
        m = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert m == {"type": "channels", "channels":
                     ["md.sim.BTC-USD.book", "md.sim.BTC-USD.trade"]}, m
asyncio.run(main())
PY
	/usr/bin/python3 "$T/chan.py" "$WS_URL" || fail "channels op"
}

test_exact_and_pattern_subscriptions_get_their_messages
test_last_client_leaving_releases_the_redis_subscription
test_one_redis_subscription_shared_by_clients
test_pattern_coming_and_going_loses_and_doubles_nothing
test_unsubscribe_stops_delivery
test_channels_op_lists_known_channels
stop_wsgate
