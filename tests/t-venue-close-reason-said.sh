#!/bin/sh
# The reason text of a venue's close frame is said with its code
# (collector(1)): the status record disconnected and the disconnected line
# on standard error read 'closed by peer (code 4000: "REASON")', REASON
# as printable ASCII (other bytes as \xHH: no ESC reaches a terminal)
# and cut after 64 bytes with "...".  A close without a reason keeps
# 'closed by peer (code 1000)' (t-venue-bybit).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/mock/venue.sh"

# snap U: a Bybit snapshot of update id U
snap() {
	printf 'send {"topic":"orderbook.50.BTCUSDT","ts":1672304484978,"type":"snapshot","data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":%s,"seq":1},"cts":1672304484976}\n' "$1"
}
long=$(printf '%0100d' 0 | tr 0 r)
{
	echo conn; echo expect 1; snap 100
	printf '%s\n' 'close 4000 maintenance: back in 5 min\x1b[2J\u00e9'
	echo conn; echo expect 1; snap 200
	echo "close 1008 $long"
	echo conn; echo expect 1; snap 300
} >"$T/s1"
mock_start "$T/s1"
collect_until 30 '"vseq":300' "no third connection" \
    collector_start --url "bybit=wss://127.0.0.1:$MOCK_PORT/v5/public/spot" \
    bybit:BTC-USDT

# said WHAT REASON: one status record disconnected and one stderr line
# with REASON (fixed strings; the record's as JSON escapes it)
said() {
	_json=$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')
	ring_norm
	assert_eq "$1: status record" 1 "$(grep -Fc "\"status\":\"disconnected\",\"reason\":\"$_json\"}" "$T/ring.norm")"
	assert_eq "$1: standard error" 1 "$(grep -Fxc "collector: bybit: disconnected: $2" "$T/collector.err")"
}
said "reason" 'closed by peer (code 4000: "maintenance: back in 5 min\x1b[2J\xc3\xa9")'
said "long reason" "closed by peer (code 1008: \"$(printf '%064d' 0 | tr 0 r)...\")"
assert_eq "ESC on standard error" 0 "$(tr -dc '\033' <"$T/collector.err" | wc -c)"
