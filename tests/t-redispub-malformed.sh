#!/bin/sh
# t-redispub-malformed: malformed input lines are logged with their line
# number and a reason, counted, and skipped; the valid lines around them
# are delivered, in order.  Covers broken JSON, a non-object, missing or
# unknown routing members, names unfit for a channel, invalid UTF-8, a
# lone surrogate escape, trailing text, a duplicate "type", an empty line,
# a line over the 1 MiB limit, and a "seq" out of 0 to 2^63 - 1 or given
# twice (tickpipe-json(5)): last_seq, the resume point, is the highest
# seq of the valid lines, never one of theirs; a "recv" past 2^63 - 1 is
# no time, and not last_recv.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
good() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":%s,"recv":1,"price":"1","qty":"2","side":"buy","tid":"x"}\n' "$1"
}
{
	good 1					# 1
	echo '{"type":"trade","venue":"sim"'	# 2 truncated
	echo 'hello'				# 3 not JSON
	echo '[1,2,3]'				# 4 not an object
	good 2					# 5
	echo '{"venue":"sim","symbol":"BTC-USD"}'	# 6 no type
	echo '{"type":"bogus","venue":"sim","symbol":"BTC-USD"}'	# 7
	echo '{"type":"trade","venue":"sim"}'	# 8 no symbol
	echo '{"type":"trade","venue":"s.m","symbol":"BTC-USD"}'	# 9
	echo '{"type":"trade","venue":"sim","symbol":"B*"}'	# 10
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","x":"\377"}\n'	# 11
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","x":"\ud800"}'	# 12
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD"} x'	# 13
	echo '{"type":"trade","type":"trade","venue":"sim","symbol":"BTC-USD"}'	# 14
	echo ''					# 15 empty
	/usr/bin/python3 -c 'print("{\"type\":\"trade\",\"x\":\"" + "a" * 1100000 + "\"}")'	# 16
	good 3					# 17
	echo '{"type":"status","venue":"sim","status":"info","reason":"ok \u00e9"}'	# 18 (valid)
	echo '{"type":"gap","from":5,"lost":2}'	# 19 (valid)
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","q":01}'	# 20 leading zero
	good 4					# 21
	good 18446744073709551615		# 22 above 2^63 - 1
	good 9223372036854775808		# 23 2^63
	good -1					# 24 negative
	good 1.5				# 25 not an integer
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":9,"seq":99}'	# 26
	good 5					# 27
	# 28 (valid) a "recv" past 2^63 - 1: published, not taken as a time
	echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":6,"recv":18446744073709551615,"price":"1","qty":"2","side":"buy","tid":"x"}'
} >"$T/in"
sed -n '1p;5p;17p;18p;19p;21p;27p;28p' "$T/in" >"$T/expect"
"$SUB" -p -n 8 -t 30 -P "$REDIS_PORT" 'md.sim.*' 'md.gap' >"$T/got" &
sub=$!
track $sub
publish_in 2
wait $sub || fail "subscriber failed"
cat "$T/err" >&2
cmp -s "$T/expect" "$T/got" || { diff "$T/expect" "$T/got"; fail "valid lines not delivered exactly"; }
for n in 2 3 4 6 7 8 9 10 11 12 13 14 15 16 20 22 23 24 25 26; do
	grep -q "^redispub: line $n: .*; skipped\$" "$T/err" || fail "line $n not reported"
done
grep -q "^redispub: line 16: line longer than 1 MiB; skipped" "$T/err" ||
    fail "line 16 not reported as too long"
assert_eq "malformed" 20 "$(counter malformed "$T/err")"
assert_eq "lines" 28 "$(counter lines "$T/err")"
assert_eq "published" 8 "$(counter published "$T/err")"
assert_eq "last_seq" 6 "$(counter last_seq "$T/err")"
assert_eq "last_recv" 1 "$(counter last_recv "$T/err")"
