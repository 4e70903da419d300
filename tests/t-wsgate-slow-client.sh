#!/bin/sh
# A client that stops reading is cut loose at --output-cap: closed 1008
# with a reason, counted, and wsgate's memory stays bounded, while a
# reading client on the same channel gets every message.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

# ASan keeps freed memory in quarantine; keep it small so RSS means
# something under make SAN=1 too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
export ASAN_OPTIONS

start_redis
start_wsgate --output-cap 1048576

n=400 size=100000
wsc_bg slow --url "$WS_URL" --channels md.slow.x.trade --wait 4 \
    --ready "$T/slow.ready" >"$T/slow.out" 2>&1 &
slow=$!
track $slow
wsc_bg sub --url "$WS_URL" --channels md.slow.x.trade --count "$n" \
    --timeout 60 --ready "$T/fast.ready" >"$T/fast.out" 2>"$T/fast.err" &
fast=$!
track $fast
wait_for 20 test -e "$T/slow.ready" -a -e "$T/fast.ready" ||
    fail "clients not subscribed"
rss0=$(rss_kb "$WS_PID")
sent=$(/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" \
    md.slow.x.trade "$n" --size "$size" --rate 100)
assert_eq "published" "$n" "$sent"
rss1=$(rss_kb "$WS_PID")
wait "$fast" || fail "fast client: $(cat "$T/fast.err")"
got=$(grep -c '"type":"trade"' "$T/fast.out")
assert_eq "fast client got every message" "$n" "$got"
wait "$slow" || fail "slow client: $(cat "$T/slow.out")"
note "$(cat "$T/slow.out"); RSS ${rss0} -> ${rss1} KiB for $((n * size / 1024)) KiB published"
grow=$((rss1 - rss0))
[ "$grow" -lt 16384 ] ||
    fail "wsgate grew by $grow KiB with a slow client (cap 1 MiB)"
assert_eq "slow disconnects counted" 1 \
    "$(metric wsgate_slow_client_disconnects_total)"
assert_eq "close 1008 counted" 1 \
    "$(metric 'wsgate_close_frames_total{code="1008"}')"
stop_wsgate
