#!/bin/sh
# t-redispub-pattern: pattern subscriptions are natural.  With redispub
# publishing several symbols, PSUBSCRIBE md.*.S01-USD.* receives exactly
# that symbol's trade and book lines, in order; PSUBSCRIBE md.*.*.trade
# only trades; a plain SUBSCRIBE of one channel only that channel.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=9000
start_redis
"$GEN" --count "$N" --symbols 3 --snapshot-every 40 >"$T/in"
book expect md <"$T/in" >"$T/all"
grep -F '.S01-USD.' "$T/all" >"$T/want.sym"
grep '^[^	]*\.trade	' "$T/all" >"$T/want.trade"
grep '^md\.sim\.S02-USD\.book	' "$T/all" >"$T/want.chan"
for w in sym trade chan; do
	[ -s "$T/want.$w" ] || fail "generator gave no lines for $w"
done

# sub NAME [-p] CHANNEL: a subscriber expecting exactly want.NAME
sub() {
	_n=$1
	shift
	"$SUB" -c -n "$(wc -l <"$T/want.$_n")" -t 60 -P "$REDIS_PORT" "$@" \
	    >"$T/got.$_n" 2>"$T/sub.$_n" &
	track $!
	pids="$pids $!"
}
pids=""
sub sym -p 'md.*.S01-USD.*'
sub trade -p 'md.*.*.trade'
sub chan md.sim.S02-USD.book
publish_in 3
for p in $pids; do
	wait "$p" || fail "a subscriber failed"
done
for w in sym trade chan; do
	cmp -s "$T/want.$w" "$T/got.$w" ||
	    fail "subscription $w: got $(wc -l <"$T/got.$w") lines, expected exactly $(wc -l <"$T/want.$w")"
done
note "symbol pattern $(wc -l <"$T/want.sym"), trade pattern $(wc -l <"$T/want.trade"), channel $(wc -l <"$T/want.chan") lines"
