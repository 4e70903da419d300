#!/bin/sh
# A client's patterns with max_hz conflate at most 4096 channels
# (wsgate(1)): each one holds state for the client, and the channels are
# the publisher's to multiply, so the 4097th closes the client with 1008
# and the reason; at 4096 it is served.  A client of the same pattern
# without max_hz gets every message and stays.  (Before, the conflated
# client's memory grew with every channel seen, 1.5 KB each.)
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

# client: "subscribed", then every frame it gets; at the close, its code
cat >"$T/cli.py" <<'PY'
import asyncio, json, sys, websockets
async def main(url, hz, ready):
    async with websockets.connect(url, ping_interval=None,
                                  max_size=None) as ws:
        req = {"op": "subscribe", "channels": ["md.x.*"]}
        if int(hz):
            req["max_hz"] = int(hz)
        await ws.send(json.dumps(req))
        while json.loads(await ws.recv()).get("type") != "subscribed":
            pass
        open(ready, "w").close()
        n = 0
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 60)
                n += 1
        except websockets.ConnectionClosed:
            pass
        print("frames %d close %s %s" % (n, ws.close_code, ws.close_reason))
asyncio.run(main(*sys.argv[1:]))
PY
/usr/bin/python3 "$T/cli.py" "$WS_URL" 1 "$T/c.ready" >"$T/c.out" 2>&1 &
c=$!
track $c
/usr/bin/python3 "$T/cli.py" "$WS_URL" 0 "$T/p.ready" >"$T/p.out" 2>&1 &
p=$!
track $p
wait_for 20 test -e "$T/c.ready" -a -e "$T/p.ready" ||
    fail "clients: $(cat "$T/c.out" "$T/p.out")"

# pub FROM TO: a trade on each of md.x.FROM.trade .. md.x.TO.trade
pub() {
	awk -v f="$1" -v t="$2" 'BEGIN { for (i = f; i <= t; i++)
	    printf "PUBLISH md.x.%d.trade \047{\"type\":\"trade\",\"seq\":%d}\047\n", i, i }' |
	    redis-cli -p "$REDIS_PORT" >/dev/null
}
pub 1 4096
wait_for 30 metric_is wsgate_messages_in_total 4096 ||
    fail "messages in: $(metric wsgate_messages_in_total)"
sleep 1
kill -0 "$c" 2>/dev/null || fail "4096 channels: the conflated client was closed: $(cat "$T/c.out")"
assert_eq "4096 channels: clients" 2 "$(metric wsgate_clients)"

pub 4097 4097
wait "$c"
grep -q "close 1008 patterns with max_hz bring more than 4096 channels" \
    "$T/c.out" || fail "4097 channels: $(cat "$T/c.out")"
wait_for 20 metric_is wsgate_clients 1 ||
    fail "clients after the close: $(metric wsgate_clients)"
kill -0 "$p" 2>/dev/null || fail "the unconflated client left: $(cat "$T/p.out")"
stop_wsgate
wait "$p"
grep -q "^frames 4097 " "$T/p.out" || fail "the unconflated client: $(cat "$T/p.out")"
