#!/bin/sh
# t-supervisor-pipeline-resume: when the pipeline stage is restarted,
# its ring reader starts just after the last sequence redispub reported
# in md.tickpipe.stats (PIPELINE_FROM=resume, the default), not at the
# newest record: nothing published to the ring while the pipeline was
# down is skipped (some messages may be sent twice).  Both ways of
# reading the ring: shmreader | redispub (the default), and redispub
# --ring alone (PIPELINE_READER=redispub, whose stages then hold no
# other process).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

last_seq() {
	svcli get md.tickpipe.stats |
	    sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p'
}
has_last_seq() { [ -n "$(last_seq)" ] && [ "$(last_seq)" -gt 0 ]; }

for reader in shmreader redispub; do
	write_conf "PIPELINE_READER=$reader"
	# shellcheck disable=SC2034 # read by sv.sh's pipeline helpers
	PIPE_NOTE='shmreader --from'
	# shellcheck disable=SC2034
	[ $reader = shmreader ] || PIPE_NOTE='redispub --ring --from'
	tp_start
	if [ $reader = redispub ]; then
		for s in pipeline derived; do
			assert_eq "the $s stage's processes" "redispub " \
			    "$(awk '{ print $3 }' "$STATE/run/$s.pids" | tr '\n' ' ')"
		done
	fi
	wait_for 15 has_last_seq || fail "$reader: no last_seq in md.tickpipe.stats"
	# a subscriber that sees everything published around the restart
	REDISCLI_AUTH=$(cat "$SECRET") redis-cli -p "$REDIS_PORT" --raw \
	    psubscribe 'md.sim.*' >"$T/sub" 2>&1 &
	sub=$!
	track $sub
	wait_for 10 grep -q '"seq":' "$T/sub" || fail "$reader: subscriber got nothing"
	old=$(stage_pids pipeline)
	before=$(last_seq)
	victim=$(victim pipeline redispub)
	starts=$(pipeline_starts)
	kill -KILL "$victim"
	seen=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/sub" | sort -n | tail -n 1)
	pipeline_restarted 10 "$starts" "$old"
	from=$(last_from)
	case $from in
	'' | *[!0-9]*) fail "$reader: restarted reader not resumed at a sequence: --from '$from'" ;;
	esac
	[ "$from" -gt "$before" ] || fail "$reader: --from $from not after last_seq $before"
	[ "$from" -le $((seen + 1)) ] ||
	    fail "$reader: --from $from skips what was published after seq $seen"
	wait_for 15 data_flows || fail "$reader: no data after the restart"
	note "$reader: stats last_seq $before, subscriber saw up to $seen, resumed at $from"
	kill $sub
	wait $sub 2>/dev/null
	# (its private Redis goes with it: the next starts with no stats)
	tp stop >/dev/null 2>&1 || fail "$reader: tickpipe stop failed"
done
