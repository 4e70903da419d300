#!/bin/sh
# Redis restarted under load: clients stay connected, get
# {"type":"gateway","status":"redis_down"} then "redis_up", wsgate
# subscribes everything again and data flows to the same connections.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
cat >"$T/client.py" <<'PY'
import asyncio, json, sys, time
import websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send(json.dumps({"op": "subscribe",
                                  "channels": ["md.r.x.trade", "md.r.*.book"]}))
        seen, t_end, after_up = [], time.monotonic() + 60, {"trade": 0, "book": 0}
        open(sys.argv[2], "w").close()
        while time.monotonic() < t_end:
            m = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if m.get("type") == "gateway":
                seen.append(m["status"])
                print(json.dumps(m), flush=True)
            elif m.get("type") == "trade" and seen[-1:] == ["redis_up"]:
                after_up["trade" if m["pad"] == "" else "book"] += 1
                if min(after_up.values()) >= 50:
                    break
        print(seen, after_up)
        assert seen == ["redis_down", "redis_up"], seen
        assert min(after_up.values()) >= 50, after_up
asyncio.run(main())
PY
/usr/bin/python3 "$T/client.py" "$WS_URL" "$T/c.ready" >"$T/c.out" 2>&1 &
client=$!
track $client
wait_for 20 test -e "$T/c.ready" || fail "client not connected"
P="$TESTS/wsgate/rpub.py"
/usr/bin/python3 "$P" "$REDIS_PORT" md.r.x.trade 8000 --rate 500 >/dev/null &
p1=$!
/usr/bin/python3 "$P" "$REDIS_PORT" md.r.y.book 8000 --rate 500 --size 1 >/dev/null &
p2=$!
track $p1
track $p2
sleep 2
restart_redis 2
wait "$client" || fail "client: $(cat "$T/c.out")"
note "$(tail -n 1 "$T/c.out")"
[ "$(metric wsgate_redis_reconnects_total)" -ge 2 ] ||
    fail "reconnects not counted"
assert_eq "the client never reconnected" 1 "$(metric wsgate_websocket_opened_total)"
stop_wsgate
