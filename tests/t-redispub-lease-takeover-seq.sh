#!/bin/sh
# shellcheck disable=SC2154 # rp, sub: set by standby_fed, taken_heard (tests/redispub/rp.sh)
# t-redispub-lease-takeover-seq: a standby redispub that takes the lease
# announces, on each venue of the lines it dropped, a status "resync" at
# one past their highest "seq", both as routing reads a line: the "seq"
# and "venue" members of its top object, checked (redispub(1) --lease);
# a malformed line is logged and counted as malformed, as a leader's,
# with its number in the input (before, the lines read standing by were
# left out of it: line 1 for the fourth).
# The lease held by another, a standby is fed valid lines (seq 1..40) of
# which some also hold a "seq" or "venue" elsewhere (in a nested object,
# ending an escaped key, the nested one first), one of a venue of 16
# characters, and malformed lines whose "seq" is 2^63, -2, 70.5 or 77x,
# or ends the line with digits on the next.  The key freed, it must
# announce seq 41 on venues sim and coinbase-futures, and leave 41 as
# last_seq.  A scan of its own took the first "seq": in the raw text,
# read past the line's end, and the first "venue":" of up to 15 bytes:
# it announced 18446744073709551615 (from -2), which its routing then
# refused as malformed, so that no resync was published at all; a
# nested 999999 alone made it 1000000, and so last_seq, the resume
# point of tickpipe(8).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis

# trade SEQ [BEFORE]: a trade of sim, with BEFORE as its first members
trade() {
	printf '{%s"type":"trade","venue":"sim","symbol":"BTC-USD","seq":%s,"recv":1,"price":"1","qty":"1","side":"buy","tid":"t"}\n' "${2:-}" "$1"
}
{
	trade 1
	trade 2 '"meta":{"seq":999999},'
	trade 3 '"a\"seq":888888,'
	trade 9223372036854775808		# malformed: 2^63
	trade -2				# malformed: negative
	trade 70.5				# malformed: no integer
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":77x}'
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":'
	echo '666666}'				# malformed, both
	trade 40 '"m":{"seq":1},'
	echo '{"type":"status","x":{"venue":"ghost"},"venue":"sim","seq":5,"status":"info","reason":"r"}'
	echo '{"type":"trade","venue":"coinbase-futures","symbol":"BTC-USD","seq":6,"recv":1,"price":"1","qty":"1","side":"buy","tid":"t"}'
} >"$T/in"

standby_fed 12
taken_heard 2
grep -q 'lease md.lease taken: publishing from seq 41 (6 lines' "$T/err" ||
    fail "not taken from seq 41: $(grep 'lease md.lease taken' "$T/err")"
wait_pid 20 "$sub" "the subscriber" ||
    fail "not two resync lines: $(cat "$T/got"); $(cat "$T/err")"
exec 3>&-
wait_pid 20 "$rp" "redispub" || fail "redispub exited $?: $(cat "$T/err")"
cat "$T/err" >&2
assert_eq "the malformed lines' numbers logged" "4 5 6 7 8 9" \
    "$(sed -n 's/^redispub: line \([0-9]*\): .*; skipped$/\1/p' "$T/err" |
    tr '\n' ' ' | sed 's/ $//')"

sed 's/"ts":[0-9]*,"recv":[0-9]*,//' "$T/got" | sort >"$T/got.s"
for v in coinbase-futures sim; do
	printf '{"type":"status","venue":"%s","seq":41,"vseq":0,"status":"resync","reason":"standby took over lease md.lease"}\n' "$v"
done >"$T/expect"
cmp -s "$T/expect" "$T/got.s" ||
    { diff "$T/expect" "$T/got.s" >&2; fail "not a resync at 41 on each venue"; }
[ "$(grep -c '; skipped$' "$T/err")" = 6 ] ||
    fail "the 6 malformed lines not each logged"
assert_eq "malformed" 6 "$(counter malformed "$T/err")"
assert_eq "standby" 6 "$(counter standby "$T/err")"
assert_eq "last_seq" 41 "$(counter last_seq "$T/err")"
assert_eq "last_seq stored" 41 \
    "$(rcli get md.tickpipe.stats | sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p')"
