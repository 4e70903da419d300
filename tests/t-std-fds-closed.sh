#!/bin/sh
# t-std-fds-closed: programs started with standard descriptors closed
# (2>&-, <&-, as some cron setups do) hold them on /dev/null, so that
# nothing they open takes those numbers, and their own reads and writes
# there still fail as on a closed descriptor.  Before: `collector -v
# 2>&-` wrote its messages over its ring's header (readers then found
# "magic: expected ..., found 0x6f7463656c6c6f63", "collector: ..."), and
# `redispub <&-` polled its own Redis socket, fd 0, as its input, for
# ever.  Also: redispub's read error on stdin is exit 71, not the end of
# input (exit 0), and a stdin it shares is given back blocking.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
R=$T/ring

"$BIN/collector" -v --ring "$R" --capacity 1024 sim --count 5 --rate max 2>&- ||
    fail "collector 2>&-: exit $?"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/a.out" 2>"$T/a.err" ||
    fail "the ring after collector 2>&-: $(cat "$T/a.err")"
[ "$(wc -l <"$T/a.out")" -ge 5 ] || fail "records: $(wc -l <"$T/a.out")"
"$BIN/collector" -v --ring "$R" sim --count 5 --rate max <&- >&- 2>&- ||
    fail "collector <&- >&- 2>&-: exit $?"
"$BIN/shmreader" --ring "$R" --no-follow >"$T/a.out" 2>"$T/a.err" ||
    fail "the ring after collector <&- >&- 2>&-: $(cat "$T/a.err")"
"$BIN/shmreader" --ring "$R" --no-follow >&- 2>"$T/b.err"
assert_eq "shmreader >&-: exit status" 74 "$?"
grep -q "stdout: Bad file descriptor" "$T/b.err" || fail "$(cat "$T/b.err")"

command -v redis-server >/dev/null || { note "no redis-server"; exit 0; }
start_redis
timeout 10 "$BIN/redispub" -u "$REDIS_URL" <&- 2>"$T/c.err"
assert_eq "redispub <&-: exit status" 71 "$?"
grep -q "stdin: Bad file descriptor" "$T/c.err" || fail "$(cat "$T/c.err")"
timeout 10 "$BIN/redispub" -u "$REDIS_URL" <"$T" 2>"$T/c.err"
assert_eq "redispub < a directory: exit status" 71 "$?"
grep -q "stdin: Is a directory" "$T/c.err" || fail "$(cat "$T/c.err")"

# a pipe shared with what runs after redispub: blocking again
{ echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1}'; sleep 3; } | {
	exec 3<&0	# an async list's stdin is /dev/null, but for this
	"$BIN/redispub" -u "$REDIS_URL" <&3 3<&- 2>"$T/d.err" &
	p=$!
	sleep 1
	kill -TERM "$p"
	wait "$p"
	/usr/bin/python3 -c 'import fcntl, os
print(fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK)' >"$T/d.out"
}
assert_eq "stdin O_NONBLOCK after redispub" 0 "$(cat "$T/d.out")"
exit 0
