#!/bin/sh
# t-deriver-restart-many-statuses-once: restarted on an output ring that
# ends with its last derived record followed by more than 64 statuses,
# deriver(1) compares them all (deriver(1), Restarts): the statuses past
# the 64th are not published again, and the output ring holds what one
# run on the whole input writes.  The statuses are the deriver's own, a
# bar of each of 70 symbols whose volume does not fit.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade SYMBOL S QTY: a sim trade of SYMBOL at price 1 at S s
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"%s","ts":%s000000000,"recv":%s000000000,"price":"1","qty":"%s","side":"buy","tid":"x"}\n' \
	    "$1" "$2" "$2" "$3"
}
# each SYMBOL...: SYMBOL for each of the 70 symbols S10-USD to S79-USD
each() {
	i=10
	while [ "$i" -lt 80 ]; do
		"$@" "S$i-USD"
		i=$((i + 1))
	done
}
too_big() { trade "$1" 3 9223372036854775807; trade "$1" 3 1; }
closes() { trade "$1" 4 1; }
closes_5() { trade "$1" 5 1; }
{
	trade BTC-USD 1 1
	trade BTC-USD 2 1	# the bar of 1 s: the last derived record
	each too_big
	each closes		# 70 statuses: bar of 3 s not emitted
} >"$T/first"
{
	each closes_5		# 70 bars of 4 s
	trade BTC-USD 5 1
} >"$T/second"
# derive N: the deriver, its standard error in $T/derive.N.err
derive() {
	"$BIN/deriver" --ring "$A" --out "$D" --no-follow --bar 1s \
	    --no-quotes --no-xbest 2>"$T/derive.$1.err" ||
	    fail "deriver $1: $(cat "$T/derive.$1.err")"
}
lines() { derived | sed 's/,"seq":[0-9]*,/,/'; }

cp "$T/first" "$T/lines"
feed_a 1024
derive 1
lines >"$T/first.out"
assert_eq "statuses after the last bar" 70 \
    "$(sed -n '/"type":"bar"/,$p' "$T/first.out" | grep -c '"type":"status"')"
cp "$T/second" "$T/lines"
feed_a 1024
derive 2
derive 3
lines >"$T/restarted"
cat "$T/first" "$T/second" >"$T/lines"
A=$RING.b
D=$RING.e
feed_a 1024
derive 4
lines >"$T/once"
# the 70 of 4 s; BTC-USD's of 1 to 4 s, those of 3 and 4 s empty
assert_eq "bars of one run" 74 "$(grep -c '"type":"bar"' "$T/once")"
cmp "$T/once" "$T/restarted" >/dev/null ||
    fail "the restarts wrote $(wc -l <"$T/restarted" | tr -d ' ') lines, one run $(wc -l <"$T/once" | tr -d ' '): $(diff "$T/once" "$T/restarted" |
    head -n 3 | cut -c 1-200)"
exit 0
