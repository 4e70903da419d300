#!/bin/sh
# t-redispub-fence-predecessor: nothing a redispub left unrun in Redis
# runs after what a redispub started in its place sends: the new one
# closes the old one's connection (CLIENT KILL) before it writes, and
# Redis drops the commands it had not run yet (redispub(1)).  Without
# that, the backlog of a redispub that hangs (stopped, swapped out, its
# host cut off) while another takes its place runs mixed with the new
# one's commands, and may put back late-joiner keys older than what the
# new one published.  (One SIGKILLed leaves little: its socket's reset
# makes Redis drop its connection after the chunk it has read.)
# A private redis-server; redispub A reads a fifo and is connected, then
# Redis is stopped (SIGSTOP), A is fed lines 1..N (it writes what its
# socket takes, and holds the rest) and stopped too; redispub B is
# started with lines N+1..N+M (it connects; its handshake waits for
# Redis), then Redis continued.  A subscriber (redis-cli, psubscribe
# md.*) must get no line of A's (seq <= N) after the first of B's, and
# B must say it closed A's connection.  Then a live redispub D keeps its
# connection when one of another --name starts.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/fence.sh"
fence_setup 30000 5000 8

# named PID: redispub PID's connection is there, named
# redispub:md.tickpipe[.NAME]@HOST:PID (redispub(1))
named() {
	[ "$(rcli client list | grep -c " name=redispub:md\.tickpipe[.a-z]*@[^ ]*:$1 ")" -eq 1 ]
}
# fed W: redispub W reading $T/W.fifo, fd 3 its writer, its pid in
# fed_pid once connected and named, its stderr $T/W.err
fed() {
	mkfifo "$T/$1.fifo"
	"$BIN/redispub" -u "$REDIS_URL" <"$T/$1.fifo" 2>"$T/$1.err" &
	fed_pid=$!
	track $fed_pid
	exec 3>"$T/$1.fifo"
	wait_for 10 named "$fed_pid" ||
	    fail "redispub $1 not connected and named: $(cat "$T/$1.err")"
}
fed a
a=$fed_pid

kill -STOP "$REDIS_PID"
cat "$T/a.in" >&3
sleep 1
kill -STOP "$a"
"$BIN/redispub" -u "$REDIS_URL" <"$T/b.in" 2>"$T/b.err" &
b=$!
track $b
sleep 0.5
kill -CONT "$REDIS_PID"
wait_pid 60 "$b" "redispub B"
rc=$?
[ "$rc" -eq 0 ] || fail "redispub B exited $rc: $(tail -n 3 "$T/b.err")"
kill -KILL "$a"
wait "$a" 2>/dev/null
exec 3>&-
fence_verdict "the stopped redispub"
# A's lines did reach Redis before B began (else this proved nothing)
grep -q "lines of A [1-9]" "$T/verdict" || fail "no line of A reached Redis"

# another --name is another writer: a live redispub D of the default
# name keeps its connection when C, named other, starts
fed d
d=$fed_pid
"$GEN" --count 10 >"$T/c.in"
"$BIN/redispub" -u "$REDIS_URL" --name other <"$T/c.in" 2>"$T/c.err" ||
    fail "redispub --name other exited $?: $(cat "$T/c.err")"
! grep -q "closed connection" "$T/c.err" ||
    fail "redispub --name other closed a connection: $(cat "$T/c.err")"
named "$d" || fail "redispub D lost its connection to C: $(cat "$T/d.err")"
exec 3>&-
wait_pid 60 "$d" "redispub D" || fail "redispub D exited $?: $(cat "$T/d.err")"
! grep -q "closed by server" "$T/d.err" ||
    fail "redispub D's connection was closed: $(cat "$T/d.err")"
exit 0
