#!/bin/sh
# t-deriver-supervised: by default the supervisor runs the deriver on its
# ring and a second pipeline, shmreader --ring RING.derived | redispub
# --name derived: both stages come up, the derived lines reach their
# Redis channels and C.last keys (md.sim.BTC-USD.quote.last,
# md.all.BTC-USD.xbest.last, a bar-1s), that pipeline's statistics go to
# md.tickpipe.derived.stats, and status shows the derived ring.  With
# DERIVER=no both stages are disabled and no derived ring is made.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"
[ -x "$BIN/deriver" ] || skip "deriver not built in $BIN"

tp start >"$T/out" 2>&1 || { cat "$T/out"; fail "tickpipe start exited $?"; }
tp status >"$T/status" || { cat "$T/status"; fail "status exited $? after start"; }
for s in deriver derived; do
	grep -Eq "^$s +up " "$T/status" || fail "stage $s not up: $(cat "$T/status")"
done
grep -q "^ring $RING.derived: seq [0-9]" "$T/status" ||
    fail "status shows no derived ring: $(cat "$T/status")"
for k in md.sim.BTC-USD.quote.last md.all.BTC-USD.xbest.last \
    md.sim.BTC-USD.bar-1s.last md.sim.BTC-USD.top20-100ms.last; do
	wait_for 15 sh -c "[ \"\$(REDISCLI_AUTH=\$(cat '$SECRET') redis-cli -p $REDIS_PORT exists $k)\" = 1 ]" ||
	    fail "no $k: $(tail -n 5 "$STATE/log/derived/current" 2>/dev/null)"
done
svcli --raw get md.all.BTC-USD.xbest.last | grep -q '^{"type":"xbest","venue":"all","symbol":"BTC-USD",' ||
    fail "md.all.BTC-USD.xbest.last: $(svcli --raw get md.all.BTC-USD.xbest.last)"
derived_stats() { svcli --raw get md.tickpipe.derived.stats | grep -q '"last_seq":[1-9]'; }
wait_for 10 derived_stats || fail "no md.tickpipe.derived.stats"
tp stop >/dev/null 2>&1 || fail "stop failed"

# off: both stages disabled, the collector's pipeline alone
"$BIN/shmreader" --ring "$RING.derived" --unlink
write_conf DERIVER=no
tp start >"$T/out" 2>&1 || { cat "$T/out"; fail "tickpipe start (DERIVER=no) exited $?"; }
tp status >"$T/status" || { cat "$T/status"; fail "status exited $? with DERIVER=no"; }
for s in deriver derived; do
	grep -Eq "^$s +disabled " "$T/status" ||
	    fail "stage $s not disabled: $(cat "$T/status")"
done
[ ! -e "/dev/shm/tickpipe.$RING.derived" ] || fail "a derived ring with DERIVER=no"
tp stop >/dev/null 2>&1 || fail "stop failed"
exit 0
