#!/bin/sh
# t-venue-text-printable: a venue's text that reaches a log line or a
# record stays what it should be.  A malformed message's excerpt on
# standard error is printable ASCII (other bytes as \xHH): its ESC
# sequences went raw to the terminal and the logs.  A trade id over the
# record's 47 bytes is cut where a character ends, and said: it was cut
# mid-character, without a word, and then printed whole as "?".  A
# status reason cut at the record's 127 bytes (here a long URL) ends
# where a character ends: it printed whole as "?" (tickpipe-ring(5),
# tickpipe-json(5)).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

E=$(printf '\033')
tr1='send {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"'
tr2='","BT":false,"seq":1783284617}]}'
{
	echo conn
	echo expect 1
	echo "send ${E}]0;pwned${E}[2J not JSON"
	echo "$tr1$(printf 'a%.0s' $(seq 46))\\u00e9$tr2"
} >"$T/s"
mock_start "$T/s"
# a path of 60 two-byte characters: "connected to URL" is cut at 127
path=$(printf '\303\251%.0s' $(seq 60))
collect_until 20 '"type":"trade"' "no trade" \
    collector_start -v --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot/$path" \
    bybit:BTC-USDT
if grep -q "$E" "$T/collector.err"; then
	fail "an ESC on standard error: $(cat -A "$T/collector.err")"
fi
grep -q 'not JSON: \\x1b\]0;pwned\\x1b\[2J not JSON' "$T/collector.err" ||
    fail "the excerpt: $(cat -A "$T/collector.err")"
grep -q 'trade id of 48 bytes cut to 46' "$T/collector.err" ||
    fail "the cut not said: $(cat "$T/collector.err")"
ring_has "\"tid\":\"$(printf 'a%.0s' $(seq 46))\"" ||
    fail "the trade id: $(grep '"trade"' "$T/ring.norm")"
reason=$(grep '"status":"connected"' "$T/ring.norm")
# (ring_norm writes JSON with non-ASCII as \uXXXX)
case $reason in
*'?'*) fail "the reason cut mid-character: $reason" ;;
esac
n=$(echo "$reason" | grep -o 'u00e9' | wc -l)
[ "$n" -ge 30 ] || fail "the reason: $n characters kept: $reason"
exit 0
