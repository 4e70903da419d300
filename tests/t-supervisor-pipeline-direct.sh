#!/bin/sh
# t-supervisor-pipeline-direct: with PIPELINE_READER=redispub the
# pipeline stages are redispub --ring alone, no shmreader (tickpipe(8)):
# data flows to Redis, and a pipeline restarted after its redispub was
# killed resumes just after the last_seq it reported, skipping nothing
# published meanwhile.  SHMREADER_ARGS with it is a configuration error.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf "PIPELINE_READER=redispub" "SHMREADER_ARGS=--venue sim"
tp check >"$T/check" 2>&1
assert_eq "tickpipe check with SHMREADER_ARGS" 78 "$?"
grep -q 'SHMREADER_ARGS needs PIPELINE_READER=shmreader' "$T/check" ||
    fail "no reason given: $(cat "$T/check")"

write_conf "PIPELINE_READER=redispub"
tp_start
for s in pipeline derived; do
	n=$(awk '{ print $3 }' "$STATE/run/$s.pids" | tr '\n' ' ')
	assert_eq "the $s stage's processes" "redispub " "$n"
done
wait_for 15 data_flows || fail "no data through redispub --ring"
last_seq() {
	svcli get md.tickpipe.stats |
	    sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p'
}
has_last_seq() { [ -n "$(last_seq)" ] && [ "$(last_seq)" -gt 0 ]; }
wait_for 15 has_last_seq || fail "no last_seq in md.tickpipe.stats"
REDISCLI_AUTH=$(cat "$SECRET") redis-cli -p "$REDIS_PORT" --raw \
    psubscribe 'md.sim.*' >"$T/sub" 2>&1 &
sub=$!
track $sub
wait_for 10 grep -q '"seq":' "$T/sub" || fail "subscriber got nothing"
old=$(stage_pids pipeline)
before=$(last_seq)
starts() { grep -c 'redispub --ring --from' "$STATE/log/pipeline/current"; }
n0=$(starts)
kill -KILL "$(victim pipeline redispub)"
seen=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/sub" | sort -n | tail -n 1)
wait_for 10 sh -c "[ \$(grep -c 'redispub --ring --from' '$STATE/log/pipeline/current') -gt $n0 ]" ||
    fail "pipeline not restarted"
wait_for 10 stage_renewed pipeline "$old" || fail "pipeline not repaired"
from=$(grep 'redispub --ring --from' "$STATE/log/pipeline/current" |
    tail -n 1 | sed 's/.*--from //')
case $from in
'' | *[!0-9]*) fail "restarted redispub not resumed at a sequence: --from '$from'" ;;
esac
[ "$from" -gt "$before" ] || fail "--from $from not after last_seq $before"
[ "$from" -le $((seen + 1)) ] || fail "--from $from skips what was published after seq $seen"
wait_for 15 data_flows || fail "no data after the restart"
note "stats last_seq $before, subscriber saw up to $seen, resumed at $from"
