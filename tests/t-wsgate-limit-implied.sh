#!/bin/sh
# --max-subscriptions holds for a channel a client's conflated pattern
# brought in: naming it exactly makes it the client's own, one more
# subscription, refused with an error frame at the limit (wsgate(1)).
# With --max-subscriptions 2 and "md.*" at max_hz 1 having brought in
# md.v.S0..S3.trade, a subscribe of those 4 names took all of them
# (wsgate_subscription_limit_total 0, no error frame): the limit
# on the memory a client can make wsgate hold was bypassed.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --max-subscriptions 2

# the pattern, the 4 trade channels brought in (a "trades" frame each),
# then the 4 names: prints the errors, the names subscribed and the
# refusals counted while it is connected
cat >"$T/cli.py" <<'PY'
import asyncio, json, subprocess, sys, urllib.request, websockets
async def main(url, port, http):
    names = ["md.v.S%d.trade" % i for i in range(4)]
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": ["md.*"],
                                  "max_hz": 1}))
        while json.loads(await ws.recv()).get("type") != "subscribed":
            pass
        for c in names:
            subprocess.run(["redis-cli", "-p", port, "publish", c,
                            '{"type":"trade"}'], check=True,
                           stdout=subprocess.DEVNULL)
        seen = set()
        while len(seen) < len(names):
            m = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if m.get("type") == "trades":
                seen.add(m["channel"])
        await ws.send(json.dumps({"op": "subscribe", "channels": names}))
        while True:
            m = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if m.get("type") == "error":
                print("error", m["reason"])
            elif m.get("type") == "subscribed":
                print("subscribed", " ".join(m["channels"]))
                break
        # the counters while the client is still there
        with urllib.request.urlopen(http + "/metrics", timeout=10) as r:
            for l in r.read().decode().splitlines():
                if l.startswith("wsgate_subscription_limit"):
                    print(l)
asyncio.run(main(*sys.argv[1:]))
PY
/usr/bin/python3 "$T/cli.py" "$WS_URL" "$REDIS_PORT" "$HTTP_URL" >"$T/c.out" 2>&1 ||
    fail "client: $(cat "$T/c.out")"
assert_eq "subscribed" "subscribed md.v.S0.trade" \
    "$(grep '^subscribed' "$T/c.out")"
assert_eq "errors" 3 "$(grep -c '^error md\.v\.S[123]\.trade: too many subscriptions' "$T/c.out")"
assert_eq "wsgate_subscription_limit_total" 3 \
    "$(sed -n 's/^wsgate_subscription_limit_total //p' "$T/c.out")"
stop_wsgate
