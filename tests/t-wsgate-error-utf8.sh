#!/bin/sh
# An error frame's reason cut at a byte limit stays UTF-8, and the client
# stays: it was cut inside a character, json_pack refused the string and
# the client was closed with 1011 "out of memory".  (A) an unknown op of
# 20 "é" ("unknown op \"%.32s\"" cut the 16th); (B) at the default
# --max-subscriptions 64, one subscribe of 64 names and a 65th of 256
# bytes, "md.x" and 126 "é": the 65th's reason, the name and why, was
# cut at 255 bytes mid-character, and the client got neither its error
# frame nor the "subscribed" answer for its 64 channels.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate

# each frame's type and reason, or the close code and reason
cat >"$T/cli.py" <<'PY'
import asyncio, json, sys, websockets
async def main(url):
    async with websockets.connect(url, ping_interval=None) as ws:
        async def ask(req, until):
            await ws.send(json.dumps(req, ensure_ascii=False))
            try:
                while True:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if m["type"] == "subscribed":
                        print("subscribed", len(m["channels"]))
                    else:
                        print(m["type"], m.get("reason", ""))
                    if m["type"] == until:
                        return
            except websockets.ConnectionClosed:
                print("close", ws.close_code, ws.close_reason)
                sys.exit(0)
        await ask({"op": "a" + "é" * 20}, "error")
        names = ["md.x.%d" % i for i in range(64)] + ["md.x" + "é" * 126]
        await ask({"op": "subscribe", "channels": names}, "subscribed")
        await ask({"op": "ping"}, "pong")
asyncio.run(main(*sys.argv[1:]))
PY
/usr/bin/python3 "$T/cli.py" "$WS_URL" >"$T/c.out" 2>&1 ||
    fail "client: $(cat "$T/c.out")"
grep -q '^close' "$T/c.out" && fail "client closed: $(cat "$T/c.out")"
assert_eq "unknown op" 'error unknown op "a'"$(printf 'é%.0s' \
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)"'"' "$(sed -n 1p "$T/c.out")"
assert_eq "the 65th name" \
    "error md.x$(printf 'é%.0s' $(seq 126)): too many subscriptions (at most 64 per client)" \
    "$(sed -n 2p "$T/c.out")"
assert_eq "the answer" "subscribed 64" "$(sed -n 3p "$T/c.out")"
assert_eq "then" "pong " "$(sed -n 4p "$T/c.out")"
stop_wsgate
