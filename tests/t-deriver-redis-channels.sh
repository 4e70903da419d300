#!/bin/sh
# t-deriver-redis-channels: the derived ring's lines, through shmreader
# and `redispub --name derived`, reach their channels (tickpipe(7)):
# PREFIX.VENUE.SYMBOL.quote, .top{N}-{T}ms, .bar-{I} and PREFIX.all.SYMBOL
# .xbest, each line PUBLISHed in order and the last one kept in C.last;
# the statistics go to PREFIX.tickpipe.derived.stats and gap lines to
# PREFIX.derived.gap, not to the first pipeline's PREFIX.tickpipe.stats
# and PREFIX.gap.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
start_redis

"$BIN/collector" --ring "$RING.a" --capacity 65536 sim --seed 9 \
    --count 4000 --rate 4000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING.a" --out "$RING.d" --capacity 65536 --no-follow \
    --top 5:5 --bar 10ms 2>"$T/err" || fail "deriver: $(cat "$T/err")"
"$BIN/shmreader" --ring "$RING.d" --no-follow --symbol BTC-USD \
    >"$T/d.jsonl" || fail "shmreader"
echo '{"type":"gap","from":5,"lost":2}' >"$T/gap.jsonl"

redis-cli -p "$REDIS_PORT" psubscribe 'md.*' >"$T/sub" &
track $!
wait_for 10 sh -c "[ \"\$(redis-cli -p $REDIS_PORT pubsub numpat)\" = 1 ]" ||
    fail "subscriber not ready"
"$BIN/redispub" -u "$REDIS_URL" --name derived --stats-interval 0 \
    <"$T/d.jsonl" 2>"$T/err" || fail "redispub: $(cat "$T/err")"
"$BIN/redispub" -u "$REDIS_URL" --name derived --stats-interval 0 \
    <"$T/gap.jsonl" 2>"$T/err" || fail "redispub: $(cat "$T/err")"
wait_for 10 grep -qx md.derived.gap "$T/sub" || fail "no gap on md.derived.gap"
! grep -qx md.gap "$T/sub" || fail "a gap on md.gap"

for c in md.sim.BTC-USD.quote md.sim.BTC-USD.top5-5ms \
    md.sim.BTC-USD.bar-10ms md.all.BTC-USD.xbest; do
	case $c in
	*.quote) t=quote ;; *.top*) t=book_top ;; *.bar-*) t=bar ;; *) t=xbest ;;
	esac
	grep "^{\"type\":\"$t\"" "$T/d.jsonl" >"$T/want.$t"
	[ -s "$T/want.$t" ] || fail "no $t line"
	wait_for 10 sh -c "[ \$(grep -cx '$c' '$T/sub') -ge $(wc -l <"$T/want.$t") ]" ||
	    fail "$c: $(grep -cx "$c" "$T/sub") messages, want $(wc -l <"$T/want.$t")"
	# the line after each channel name is its message
	awk -v c="$c" 'p { print; p = 0 } $0 == c { p = 1 }' "$T/sub" >"$T/got.$t"
	cmp "$T/want.$t" "$T/got.$t" || fail "$c: messages differ from the lines"
	assert_eq "$c.last" "$(tail -n 1 "$T/want.$t")" "$(rcli --raw get "$c.last")"
done
rcli --raw get md.tickpipe.derived.stats | grep -q '"last_seq":[1-9]' ||
    fail "no md.tickpipe.derived.stats"
assert_eq "md.tickpipe.stats (the first pipeline's)" 0 \
    "$(rcli exists md.tickpipe.stats)"
exit 0
