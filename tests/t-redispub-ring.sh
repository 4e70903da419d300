#!/bin/sh
# t-redispub-ring: redispub --ring reads the ring itself, and publishes
# exactly what `shmreader --ring R | redispub` publishes: the same lines
# on the same channels in the same order, gap line included, and the
# same late-joiner keys (redispub(1) "READING THE RING").  Then what a
# reader of shared memory must survive: a ring that does not exist yet,
# a ring removed and created anew, and a ring truncated under it (the
# SIGBUS guard: exit 74 and one clear line, never a core dump); and the
# options it refuses.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
R=$T/ring
start_redis

# --- the same as through shmreader, from a ring that lapped its start:
# 8192 slots, 30000 simulator messages, then 2000 more from a restarted
# simulator, which begins with a snapshot of each book (messages of many
# records); read from seq 1: both begin with the same gap line
for n in 30000 2000; do
	"$BIN/collector" --ring "$R" --capacity 8192 sim --count $n \
	    --rate max 2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
done
"$BIN/shmreader" --ring "$R" --from 1 --no-follow >"$T/lines" 2>"$T/s.err" ||
    fail "shmreader: $(cat "$T/s.err")"
N=$(wc -l <"$T/lines")
head -n 1 "$T/lines" | grep -q '"type":"gap"' ||
    fail "the ring did not lap: $(head -c 200 "$T/lines")"
"$SUB" -c -p -n "$N" -t 60 -P "$REDIS_PORT" 'a.*' >"$T/got.a" &
sa=$!
track $sa
"$SUB" -c -p -n "$N" -t 60 -P "$REDIS_PORT" 'b.*' >"$T/got.b" &
sb=$!
track $sb
wait_for 10 subscribed 2 || fail "subscribers did not subscribe"
"$RP" -u "$REDIS_URL" --prefix a --ring "$R" --from 1 2>"$T/a.err" &
ra=$!
track $ra
"$RP" -u "$REDIS_URL" --prefix b <"$T/lines" 2>"$T/b.err" ||
    fail "redispub from shmreader's lines: $(cat "$T/b.err")"
wait $sb || fail "subscriber b failed"
wait $sa || fail "subscriber a got $(wc -l <"$T/got.a") of $N: $(cat "$T/a.err")"
kill -TERM $ra
wait $ra
assert_eq "redispub --ring exit status after SIGTERM" 0 "$?"
sed 's/^a\./X./' "$T/got.a" >"$T/x.a"
sed 's/^b\./X./' "$T/got.b" >"$T/x.b"
cmp -s "$T/x.a" "$T/x.b" || {
	diff "$T/x.b" "$T/x.a" | head -n 4 | cut -c 1-200
	fail "redispub --ring published other lines than shmreader | redispub"
}
assert_eq "lines published" "$N" "$(counter published "$T/a.err")"
for c in $(rcli smembers b.channels | sed -n 's/^b\.\(.*\.book\)$/\1/p'); do
	[ "$(rcli get "a.$c.snapshot")" = "$(rcli get "b.$c.snapshot")" ] ||
	    fail "a.$c.snapshot differs from b.$c.snapshot"
	[ "$(rcli get "a.$c.deltas")" = "$(rcli get "b.$c.deltas")" ] ||
	    fail "a.$c.deltas differs from b.$c.deltas"
done
note "$N lines (a gap line, $(grep -c '"type":"book_snapshot"' "$T/lines") snapshots) the same both ways"

# --- nothing to spin on: stopped with lines held and Redis not
# answering (paused), redispub waits out --flush-timeout asleep: its CPU
# time over 1.5 s of it is counted (a loop that spun used all of it).
# It must still be waiting then, and at the end of --flush-timeout log
# and count as dropped what it held, and exit 0 (stopped by a signal:
# redispub(1) --flush-timeout, EXIT STATUS)
# cpu_ticks PID: its user + system time in clock ticks, empty if gone
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
rcli client pause 4000 all >/dev/null
"$RP" -u "$REDIS_URL" --prefix e --ring "$R" --from 1 --flush-timeout 3 \
    2>"$T/e.err" &
re=$!
track $re
sleep 0.5
! exited $re || fail "redispub ended before SIGTERM: $(cat "$T/e.err")"
kill -TERM $re
sleep 0.2
t0=$(cpu_ticks $re)
sleep 1.5
t1=$(cpu_ticks $re)
! exited $re ||
    fail "redispub did not wait out --flush-timeout 3 with Redis paused: $(cat "$T/e.err")"
[ -n "$t0" ] || fail "no CPU time of redispub after SIGTERM"
[ -n "$t1" ] || fail "no CPU time of redispub 1.5 s later"
ticks=$(( (t1 - t0) * 100 / $(getconf CLK_TCK) ))
[ "$ticks" -le 20 ] ||
    fail "stopped and waiting for Redis, redispub used $((ticks * 10)) ms of CPU in 1.5 s"
wait_pid 10 $re "redispub, stopped with Redis paused,"
assert_eq "redispub exit status, stopped with lines undelivered" 0 "$?"
dropped=$(sed -n 's/.* within --flush-timeout; dropping \([0-9]*\) undelivered messages$/\1/p' "$T/e.err")
[ "${dropped:-0}" -gt 0 ] ||
    fail "no word of the undelivered messages dropped: $(cat "$T/e.err")"
assert_eq "dropped counted" "$dropped" "$(counter dropped "$T/e.err")"
note "stopped, Redis paused: $((ticks * 10)) ms of CPU in 1.5 s; dropping $dropped undelivered messages"
sleep 2.5	# the pause ends

# --- a ring that does not exist yet, then is removed and created anew
R2=$T/ring2
"$RP" -u "$REDIS_URL" --prefix c --ring "$R2" 2>"$T/c2.err" &
rc2=$!
track $rc2
wait_for 10 grep -q 'waiting for the writer' "$T/c2.err" ||
    fail "no word of the missing ring: $(cat "$T/c2.err")"
# seen TID: one trade put into R2 (its collector run anew) is published
seen() {
	"$SUB" -p -n 1 -t 10 -P "$REDIS_PORT" 'c.sim.*' >"$T/got.c" &
	_s=$!
	wait_for 10 subscribed 1 || fail "subscriber c did not subscribe"
	printf '{"type":"trade","venue":"sim","symbol":"X-USD","ts":1,"recv":2,"price":"1","qty":"1","side":"buy","tid":"%s"}\n' "$1" |
	    "$BIN/collector" --ring "$R2" --capacity 1024 jsonl 2>>"$T/put.err" ||
	    fail "collector jsonl: $(cat "$T/put.err")"
	wait $_s
	grep -q "\"tid\":\"$1\"" "$T/got.c"
}
seen one || fail "the ring that came later was not read: $(cat "$T/c2.err")"
rm -f "$R2"
seen two || fail "the ring made anew was not read: $(cat "$T/c2.err")"
grep -q "ring $R2 was removed or replaced; reopening" "$T/c2.err" ||
    fail "the reopening was not said: $(cat "$T/c2.err")"
seen three || fail "the writer restarted on it was not read"
kill -TERM $rc2
wait $rc2
assert_eq "redispub exit status" 0 "$?"

# --- truncated under it: Redis paused, so that the outbox (--buffer
# 100) fills and redispub stops with most of the ring unread; the ring
# shrinks; when Redis resumes, redispub reads on into the lost pages
R3=$T/ring3
"$BIN/collector" --ring "$R3" --capacity 65536 sim --count 30000 --rate max \
    2>"$T/c3.err" || fail "collector: $(cat "$T/c3.err")"
rcli client pause 3000 all >/dev/null
"$RP" -u "$REDIS_URL" --prefix d --buffer 100 --ring "$R3" 2>"$T/d.err" &
rd=$!
track $rd
sleep 1
kill -0 $rd 2>/dev/null || fail "redispub ended early: $(cat "$T/d.err")"
truncate -s 4096 "$R3"
wait_for 20 exited $rd || fail "redispub did not stop on a truncated ring"
wait $rd
st=$?
note "truncated: $(grep -v 'redis.*connected' "$T/d.err" | head -n 3 | tr '\n' ' ')"
assert_eq "redispub exit status on a truncated ring" 74 "$st"
grep -q "^redispub: ring $R3: .*truncated" "$T/d.err" ||
    fail "the truncation was not said: $(cat "$T/d.err")"
[ "$(counter published "$T/d.err")" -ge 100 ] ||
    fail "what was read before the truncation was not published: $(cat "$T/d.err")"

# --- options
"$RP" --from 5 </dev/null 2>"$T/o.err"
assert_eq "--from without --ring" 64 "$?"
"$RP" --ring "$R" --from soon </dev/null 2>"$T/o.err"
assert_eq "--from soon" 64 "$?"
"$RP" -u "$REDIS_URL" --ring 'bad name!' </dev/null 2>"$T/o.err"
assert_eq "--ring 'bad name!'" 64 "$?"
grep -q 'only letters' "$T/o.err" || fail "bad name: $(cat "$T/o.err")"
