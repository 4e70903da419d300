#!/bin/sh
# t-redispub-delivery: a subscriber to md.sim.* receives exactly the lines
# fed to redispub, unchanged and in order, each on the channel its type,
# venue and symbol name; afterwards md.channels lists every channel and
# each book channel's .snapshot and .deltas keys hold the latest snapshot
# line and the deltas since, oldest first.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=20000
start_redis
"$GEN" --count "$N" --symbols 4 --snapshot-every 50 >"$T/in"
book expect md <"$T/in" >"$T/expect"
"$SUB" -c -p -n "$N" -t 60 -P "$REDIS_PORT" 'md.sim.*' >"$T/got" &
sub=$!
track $sub
publish_in 1
wait $sub || fail "subscriber failed"
cmp -s "$T/expect" "$T/got" || {
	diff "$T/expect" "$T/got" | head -n 5
	fail "subscriber got $(wc -l <"$T/got") lines, not exactly the $N fed in"
}
assert_eq "published" "$N" "$(counter published "$T/err")"

cut -f 1 "$T/expect" | sort -u >"$T/chans"
rcli smembers md.channels | sort >"$T/members"
cmp -s "$T/chans" "$T/members" || fail "md.channels: $(tr '\n' ' ' <"$T/members")"
for s in S00-USD S01-USD S02-USD S03-USD; do
	c=md.sim.$s.book
	book keys "$c" <"$T/in" >"$T/keys.want"
	{ rcli get "$c.snapshot"; rdeltas "$c.deltas"; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" ||
	    fail "$c: keys hold $(wc -l <"$T/keys.got") lines, not the latest snapshot and the deltas since"
done
note "$N lines delivered in order on $(wc -l <"$T/chans") channels"
