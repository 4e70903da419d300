#!/bin/sh
# Clients that stop reading are cut loose at --output-cap: closed 1008
# with a reason, counted once per client in
# wsgate_slow_client_disconnects_total however much comes after, and
# wsgate's memory stays bounded, while a reading client on the same
# channel gets every message.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

small_asan_quarantine

start_redis
start_wsgate --output-cap 1048576

n=400 size=100000
# slow NAME CHANNEL: a client that stops reading for 4 s
slow() {
	wsc_bg slow --url "$WS_URL" --channels "$2" --wait 4 \
	    --ready "$T/$1.ready" >"$T/$1.out" 2>&1 &
	eval "pid_$1=\$!"
	track $!
}
slow s1 md.slow.x.trade
slow s2 md.slow.x.trade
slow s3 'md.slow.*'
wsc_bg sub --url "$WS_URL" --channels md.slow.x.trade --count "$n" \
    --timeout 60 --ready "$T/fast.ready" >"$T/fast.out" 2>"$T/fast.err" &
fast=$!
track $fast
wait_for 20 test -e "$T/s1.ready" -a -e "$T/s2.ready" -a -e "$T/s3.ready" \
    -a -e "$T/fast.ready" || fail "clients not subscribed"
rss0=$(rss_kb "$WS_PID")
sent=$(/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" \
    md.slow.x.trade "$n" --size "$size" --rate 100)
assert_eq "published" "$n" "$sent"
rss1=$(rss_kb "$WS_PID")
wait "$fast" || fail "fast client: $(cat "$T/fast.err")"
got=$(grep -c '"type":"trade"' "$T/fast.out")
assert_eq "fast client got every message" "$n" "$got"
for c in s1 s2 s3; do
	eval "wait \$pid_$c" || fail "slow client $c: $(cat "$T/$c.out")"
done
note "$(cat "$T/s1.out"); RSS ${rss0} -> ${rss1} KiB for $((n * size / 1024)) KiB published"
grow=$((rss1 - rss0))
[ "$grow" -lt 16384 ] ||
    fail "wsgate grew by $grow KiB with a slow client (cap 1 MiB)"
assert_eq "slow disconnects counted, one per client" 3 \
    "$(metric wsgate_slow_client_disconnects_total)"
assert_eq "close 1008 counted" 3 \
    "$(metric 'wsgate_close_frames_total{code="1008"}')"
stop_wsgate
