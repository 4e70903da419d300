#!/bin/sh
# t-hops-latency-histograms: the per-hop latency histograms of a real
# pipeline (collector sim -> ring -> shmreader -> redispub -> Redis ->
# wsgate -> two WebSocket clients) count every message that carries a
# recv stamp once per hop: redispub's lat_read and lat_send (its final
# statistics object, redispub(1)) the lines it read, wsgate's
# latency_in the messages it received and latency_out the frames its
# clients got (wsgate(1) /metrics); their buckets add up to their
# counts and their quantiles are monotone and inside the buckets used.
# No timing is asserted: the machine may be loaded.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
    skip "python3-prometheus-client not installed"
[ -x "$BIN/redispub" ] || skip "redispub not built"

start_redis
start_wsgate
CH=md.sim.BTC-USD.trade

# the pipeline: shmreader waits for the ring, tee keeps what redispub reads
mkfifo "$T/sr"
"$BIN/shmreader" --ring "$RING" >"$T/sr" 2>"$T/sr.err" &
sr=$!
track $sr
tee "$T/lines" <"$T/sr" | "$BIN/redispub" -u "$REDIS_URL" \
    --stats-interval 0 2>"$T/rp.err" &
rp=$!
track $rp
for i in 1 2; do
	wsc_bg sub --url "$WS_URL" --channels "$CH" --timeout 10 \
	    --ready "$T/ready$i" >"$T/ws$i" 2>"$T/ws$i.err" &
	track $!
done
wait_for 20 test -e "$T/ready1" -a -e "$T/ready2" || fail "clients not subscribed"

"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 5 \
    --venues sim --symbols BTC-USD --rate 3000 --count 3000 2>"$T/err" ||
    fail "collector sim: $(cat "$T/err")"
wait_for 20 sh -c "[ \$(grep -c '\"recv\":' '$T/lines') -ge 3000 ]" ||
    fail "shmreader passed $(grep -c '"recv":' "$T/lines") stamped lines, want 3000"
kill $sr
wait $rp || fail "redispub: $(cat "$T/rp.err")"
n=$(grep -c '"recv":' "$T/lines")
trades=$(grep -c '^{"type":"trade","venue":"sim","symbol":"BTC-USD",.*"recv":' \
    "$T/lines")
[ "$trades" -gt 0 ] || fail "no trades in the run"
for i in 1 2; do
	wait_for 20 sh -c "[ \$(grep -c '^{\"type\":\"trade\"' '$T/ws$i') -ge $trades ]" ||
	    fail "client $i got $(grep -c '^{"type":"trade"' "$T/ws$i") trades, want $trades"
done

# the histogram checks, for both renderings: python3 reads them alike
check() {	# WHAT KIND FILE N: KIND redispub KEY or prom NAME
	/usr/bin/python3 - "$@" <<'PY' || fail "$1: histogram check failed (above)"
import json, sys
what, kind, path, key, want = sys.argv[1:6]
want = int(want)
le = [1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7,
      2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10]
def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)
if kind == "redispub":
    h = json.load(open(path))[key]
    n, b, q = h["n"], h["buckets"], [h["p50"], h["p99"], h["p999"]]
    lo_seen, hi_seen = h["min"], h["max"]
else:
    from prometheus_client.parser import text_string_to_metric_families
    fams = {f.name: f for f in
            text_string_to_metric_families(open(path).read())}
    cum, n, q = {}, None, []
    for s in fams[key].samples:
        if s.name.endswith("_bucket"):
            cum[float(s.labels["le"])] = int(s.value)
        elif s.name.endswith("_count"):
            n = int(s.value)
    bounds = sorted(cum)
    if [x / 1e9 for x in le] + [float("inf")] != bounds:
        fail("bucket bounds %s" % bounds)
    b = [cum[bounds[0]]] + [cum[bounds[i]] - cum[bounds[i - 1]]
                            for i in range(1, len(bounds))]
    if cum[float("inf")] != n:
        fail("+Inf bucket %d, count %d" % (cum[float("inf")], n))
    qs = {s.labels["quantile"]: s.value * 1e9
          for s in fams[key.replace("_seconds", "_quantile_seconds")].samples}
    q = [qs["0.5"], qs["0.99"], qs["0.999"]]
    lo_seen, hi_seen = 0, float("inf")
if len(b) != 23 or any(c < 0 for c in b):
    fail("buckets %s" % b)
if n != want or sum(b) != n:
    fail("count %d, buckets add to %d, want %d" % (n, sum(b), want))
used = [i for i, c in enumerate(b) if c > 0]
lo = 0 if used[0] == 0 else le[used[0] - 1]
hi = le[used[-1]] if used[-1] < 22 else float("inf")
if not (q[0] <= q[1] <= q[2]):
    fail("quantiles not monotone: %s" % q)
if not (lo <= q[0] and q[2] <= hi and lo_seen <= q[0] and q[2] <= hi_seen):
    fail("quantiles %s outside the buckets used [%g, %g]" % (q, lo, hi))
print("%s: n=%d p50=%.0f p99=%.0f p999=%.0f ns" % (what, n, q[0], q[1], q[2]))
PY
}

rcli --raw get md.tickpipe.stats >"$T/stats"
grep -q '"lines":'"$n"',' "$T/stats" || fail "stats: $(cat "$T/stats")"
check "redispub lat_read" redispub "$T/stats" lat_read "$n"
check "redispub lat_send" redispub "$T/stats" lat_send "$n"
wsc http /metrics --url "$HTTP_URL" | tr -d '\r' | sed '1,/^$/d' >"$T/metrics"
check "wsgate latency_in" prom "$T/metrics" wsgate_latency_in_seconds "$trades"
check "wsgate latency_out" prom "$T/metrics" wsgate_latency_out_seconds \
    $((2 * trades))
exit 0
