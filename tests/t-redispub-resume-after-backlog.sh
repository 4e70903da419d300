#!/bin/sh
# t-redispub-resume-after-backlog: redispub's stats "last_seq" is the
# last line Redis acknowledged (redispub(1)), so the supervisor's pipeline
# restart (PIPELINE_FROM=resume, tickpipe(8)) loses nothing after a
# backlog.  Under load, Redis is stopped for 6 s (kill -STOP), continued,
# and 0.3 s later redispub is killed (kill -9); the supervisor restarts the
# pipeline.  A subscriber must then hold every seq from its first to its
# last, or a gap line announcing it; duplicates are allowed (at least
# once) and reported; and its last must be past the ring's seq at the
# kill (shmreader --stat): the restarted pipeline caught up.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

RATE=20000
# our own Redis (so that we can stop it), with no output limit for the
# subscriber, which gets the whole backlog at once
start_redis --client-output-buffer-limit "pubsub 0 0 0"
write_conf "REDIS_URL=$REDIS_URL" "FEED=sim --rate $RATE"
tp_start
wait_for 15 sh -c "redis-cli -p $REDIS_PORT get md.tickpipe.stats | grep -q '\"last_seq\":[1-9]'" ||
    fail "no last_seq in md.tickpipe.stats"

# the main pipeline's channels only: the derived ones (quote, bar, ...)
# number their lines in the derived ring's seq (tickpipe(7)); so do the
# deriver's status lines on md.sim.status, left out below
redis-cli -p "$REDIS_PORT" --raw psubscribe 'md.sim.*.trade' 'md.sim.*.book' \
    'md.sim.status' 'md.gap' >"$T/sub" 2>&1 &
sub=$!
track $sub
wait_for 10 grep -q '"seq":' "$T/sub" || fail "subscriber got nothing"
sleep 1

victim=$(victim pipeline redispub)
[ -n "$victim" ] || fail "no redispub in $STATE/run/pipeline.pids"
old=$(stage_pids pipeline)
starts=$(pipeline_starts)
kill -STOP "$REDIS_PID"
sleep 6
kill -CONT "$REDIS_PID"
sleep 0.3
kill -KILL "$victim"
stats=$(rcli get md.tickpipe.stats)
# where the ring was at the kill (read 250 ms later: a little past it)
at_kill=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: *\([0-9]*\)$/\1/p')
[ -n "$at_kill" ] || fail "no seq in shmreader --stat of $RING"
pipeline_restarted 15 "$starts" "$old"
from=$(last_from)
# the restarted pipeline must catch up past where the ring was at the
# kill: wait until the subscriber's last lines are past it (checked on
# all it got below)
past_kill() {
	tail -n 20 "$T/sub" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' |
	    awk -v k="$at_kill" '$1 > k { f = 1 } END { exit !f }'
}
wait_for 30 past_kill || note "the subscriber got no seq past $at_kill within 30 s"
sleep 1
tp stop >/dev/null 2>&1 || fail "tickpipe stop exited $?"
# the subscriber is done when its file stops growing
size=-1
while [ "$(wc -c <"$T/sub")" != "$size" ]; do
	size=$(wc -c <"$T/sub")
	sleep 1
done

# every seq from the first to the last seen: received, or in a gap line.
# A book message of n levels spans ceil(n / 10) ring records
# (tickpipe-ring(5)) and carries the first one's seq.
awk '
/"reason":"deriver: / { next }
/^\{"type":"gap"/ {
	f = $0; sub(/.*"from":/, "", f); sub(/[^0-9].*/, "", f)
	l = $0; sub(/.*"lost":/, "", l); sub(/[^0-9].*/, "", l)
	gf[++ng] = f + 0; gl[ng] = l + 0; next
}
/^\{/ {
	s = $0; sub(/.*"seq":/, "", s); sub(/[^0-9].*/, "", s)
	if (s == "") next
	s += 0; n++
	if (s in seen) dup++
	lv = gsub(/\["/, "&")
	for (k = 0; k < lv / 10 || k == 0; k++)
		seen[s + k] = 1
	if (lo == "" || s < lo) lo = s
	if (s > hi) hi = s
}
END {
	for (s = lo; s <= hi; s++) {
		if (s in seen) continue
		for (i = 1; i <= ng; i++)
			if (s >= gf[i] && s < gf[i] + gl[i]) break
		if (i <= ng) { announced++; continue }
		if (!missing++) first = s
		last = s
	}
	printf "seq %d..%d: %d messages, %d duplicates, %d lost in gap lines, %d lost silently (first %s, last %s)\n",
	    lo, hi, n, dup, announced, missing, first, last
	print hi >hifile
	exit missing > 0
}' hifile="$T/hi" "$T/sub" >"$T/result"
rc=$?
note "$(cat "$T/result")"
note "stats read just after the kill: $stats; ring at seq $at_kill; restarted --from $from"
[ "$rc" = 0 ] || fail "messages lost silently: $(cat "$T/result")"
hi=$(cat "$T/hi")
[ "${hi:-0}" -gt "$at_kill" ] ||
    fail "the restarted pipeline did not catch up: last seq received ${hi:-none}, the ring was at $at_kill at the kill ($(cat "$T/result"))"
