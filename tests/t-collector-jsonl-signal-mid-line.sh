#!/bin/sh
# t-collector-jsonl-signal-mid-line: SIGUSR1 (the counters) reaching
# `collector jsonl` while it waits for the rest of a line loses nothing:
# the line read on from where the interrupted read left it is whole and
# goes into the ring, with --strict too.  A line already over 1 MiB when
# the signal comes is still one line too long, and the line after it is
# read.  The interrupted read dropped what it had read: the line's rest
# was rejected ("invalid JSON ... near 'BTC'"), fatal with --strict.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
L='{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":1,"recv":2,"price":"1.5","qty":"2","side":"buy","tid":"x"}'
mkfifo "$T/in" || skip "mkfifo"

# interrupted RING FIRST REST: collector jsonl --strict reads FIRST, is
# sent SIGUSR1 (and says its counters), then reads REST and ends
interrupted() {
	"$BIN/collector" --ring "$1" jsonl --strict <"$T/in" 2>"$T/err" &
	cp=$!
	track $cp
	exec 3>"$T/in"
	printf '%s' "$2" >&3
	wait_for 10 test -e "/dev/shm/tickpipe.$1" || fail "no ring made"
	sleep 0.3	# collector waits in read(2) for the rest
	kill -USR1 $cp
	wait_for 10 grep -q "counters:" "$T/err" ||
	    fail "no counters line: $(cat "$T/err")"
	printf '%s' "$3" >&3
	exec 3>&-
	wait_pid 10 $cp "collector jsonl"
}

interrupted "$RING" "$(echo "$L" | cut -c1-40)" "$(echo "$L" | cut -c41-)
"
st=$?
assert_eq "exit status (--strict)" 0 "$st"
grep -q "stdin:" "$T/err" && fail "a line rejected: $(cat "$T/err")"
assert_eq "the line in the ring" 1 \
    "$("$BIN/shmreader" --ring "$RING" --no-follow --type trade | wc -l)"

# a line too long at the signal is still one line, rejected once
/usr/bin/python3 -c 'import sys; sys.stdout.write("{\"x\":\"" + "x" * 1100000)' \
    >"$T/long"
"$BIN/collector" --ring "$RING.b" jsonl <"$T/in" 2>"$T/err" &
cp=$!
track $cp
exec 3>"$T/in"
cat "$T/long" >&3
wait_for 10 test -e "/dev/shm/tickpipe.$RING.b" || fail "no ring made"
sleep 0.3
kill -USR1 $cp
wait_for 10 grep -q "counters:" "$T/err" ||
    fail "no counters line: $(cat "$T/err")"
printf 'x"}\n%s\n' "$L" >&3
exec 3>&-
wait_pid 10 $cp "collector jsonl"
assert_eq "exit status" 0 "$?"
assert_eq "lines rejected" 1 "$(grep -c "stdin:[0-9]*: " "$T/err")"
grep -q "stdin:1: line longer than 1048576 bytes: skipped" "$T/err" ||
    fail "not line 1 too long: $(cat "$T/err")"
assert_eq "the line after it in the ring" 1 \
    "$("$BIN/shmreader" --ring "$RING.b" --no-follow --type trade | wc -l)"
exit 0
