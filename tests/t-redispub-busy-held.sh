#!/bin/sh
# t-redispub-busy-held: Redis runs a script for 2 s (busy-reply-threshold
# 100 ms: every command meanwhile is answered -BUSY) while redispub is fed
# a book at 50 lines/s.  Nothing is dropped: redispub says it once,
# holds the lines, sends them again in order on a new connection, and
# exits 0; the subscriber gets every line fed in, and any it got for the
# first time after a later one (the pipeline ran on past the refusal) is
# followed by a gap line, so that no book is silently wrong.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=300
start_redis --busy-reply-threshold 100
"$SUB" -p -t 8 -P "$REDIS_PORT" 'md.*' >"$T/got" 2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
gen_fifo --count "$N" --symbols 1 --rate 50
"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
sleep 1.5
rcli eval 'local function us() local t = redis.call("TIME")
	return t[1] * 1000000 + t[2] end
	local t0 = us() while us() - t0 < 2000000 do end return 1' 0 >/dev/null ||
    fail "the busy script did not run"
wait_pid 60 $rp "redispub, at the end of its input,"
st=$?
wait $sub
cat "$T/err" >&2
grep -q "BUSY" "$T/err" || fail "redispub never met -BUSY (the script ran too early or late?)"
assert_eq "redispub exit status" 0 "$st"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
assert_eq "refusals said" 1 "$(grep -c 'refused a command for now' "$T/err")"
grep -q 'counted as dropped' "$T/err" && fail "a line was counted as dropped"
sort -u "$T/in" >"$T/fed"
grep -v '"type":"gap"' "$T/got" | sort -u >"$T/got.u"
missing=$(comm -23 "$T/fed" "$T/got.u" | wc -l)
assert_eq "lines fed but never received" 0 "$missing"
# a line received first after a later seq must have a gap line after it
late=$(awk '/"type":"gap"/ { if (bad) ok = 1; next }
	!/"seq":[0-9]/ { next }
	{ match($0, /"seq":[0-9]+/); s = substr($0, RSTART + 6, RLENGTH - 6) + 0
	  if (!(s in seen) && s < max) { bad++; ok = 0 }
	  seen[s] = 1; if (s > max) max = s }
	END { print (bad && !ok) ? bad : 0 }' "$T/got")
assert_eq "lines out of order with no gap line after them" 0 "$late"
note "$N lines held across a 2 s -BUSY, all delivered" \
    "($(grep -c '"type":"gap"' "$T/got") gap lines)"
