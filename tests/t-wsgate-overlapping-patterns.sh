#!/bin/sh
# One client subscribed to 64 overlapping patterns that all match one
# channel does not hurt the others: Redis sends wsgate each message once
# (its subscriber connection's output buffer in CLIENT LIST stays small,
# messages in = messages published, no reconnect), the client gets each
# message once, a second client on the exact channel gets every message
# and never hears "redis_down", and wsgate's memory stays small.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

small_asan_quarantine

start_redis
start_wsgate
ch=md.ov.x.trade
n=3000 size=2000
pats=$(/usr/bin/python3 -c '
import sys
ch = sys.argv[1]
p = [ch + "*"]
for i in range(len(ch)):
    for q in (ch[:i] + "?" + ch[i + 1:], ch[:i] + "*", "*" + ch[i:],
              ch[:i] + "[" + ch[i] + "]" + ch[i + 1:],
              ch[:i] + "*" + ch[i + 1:]):
        if q not in p:
            p.append(q)
print(",".join(p[:64]))' "$ch")
assert_eq "distinct patterns" 64 "$(printf '%s\n' "$pats" | tr , '\n' | LC_ALL=C sort -u | wc -l)"

wsc_bg sub --url "$WS_URL" --channels "$pats" --count "$n" --timeout 60 \
    --ready "$T/p.ready" >"$T/p.out" 2>"$T/p.err" &
p=$!
track $p
wsc_bg sub --url "$WS_URL" --channels "$ch" --count "$n" --timeout 60 \
    --ready "$T/x.ready" >"$T/x.out" 2>"$T/x.err" &
x=$!
track $x
wait_for 20 test -e "$T/p.ready" -a -e "$T/x.ready" ||
    fail "clients not subscribed: $(cat "$T/p.err" "$T/x.err")"
head -n 1 "$T/p.out" | grep -q '"subscribed"' ||
    fail "64 patterns not subscribed: $(head -c 300 "$T/p.out")"
rss0=$(rss_kb "$WS_PID")

# the subscriber connections' largest output buffer (omem) and query
# buffer (qbuf) seen in CLIENT LIST, sampled while the messages flow
/usr/bin/python3 "$TESTS/wsgate/rpub.py" "$REDIS_PORT" "$ch" "$n" \
    --size "$size" --rate 1500 >"$T/sent" &
pub=$!
track $pub
omem=0 qbuf=0 psub=0
while kill -0 "$pub" 2>/dev/null; do
	read -r o q s <<-EOF
	$(rcli client list | awk '/ (sub|psub)=[1-9]/ {
	    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	    print v["omem"], v["qbuf"], v["psub"] }' | sort -n | tail -n 1)
	EOF
	[ "${o:-0}" -le "$omem" ] || omem=$o
	[ "${q:-0}" -le "$qbuf" ] || qbuf=$q
	[ "${s:-0}" -le "$psub" ] || psub=$s
	sleep 0.05
done
wait "$pub"
rss1=$(rss_kb "$WS_PID")
assert_eq "published" "$n" "$(cat "$T/sent")"
wait "$p" || fail "pattern client: $(cat "$T/p.err")"
wait "$x" || fail "exact client: $(cat "$T/x.err")"
note "subscriber connection: max omem $omem, max qbuf $qbuf, patterns $psub; wsgate RSS $rss0 -> $rss1 KiB"
[ "$omem" -lt 1048576 ] || fail "wsgate's subscriber output buffer reached $omem bytes"
assert_eq "redis patterns held by wsgate" 1 "$psub"
assert_eq "messages in from redis (one copy each)" "$n" \
    "$(metric wsgate_messages_in_total)"
assert_eq "redis reconnects" 0 "$(metric wsgate_redis_reconnects_total)"
for c in p x; do
	grep -q redis_down "$T/$c.out" && fail "client $c heard redis_down"
	got=$(grep -c '"type":"trade"' "$T/$c.out")
	uniq=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/$c.out" | sort -un | wc -l)
	assert_eq "client $c messages" "$n" "$got"
	assert_eq "client $c distinct messages" "$n" "$uniq"
done
grow=$((rss1 - rss0))
[ "$grow" -lt 16384 ] || fail "wsgate grew by $grow KiB"
stop_wsgate
