#!/bin/sh
# /etc/resolv.conf and /etc/hosts are read again at a lookup when they
# have changed since wsgate read them (wsgate(1) NAME LOOKUP), as
# glibc's getaddrinfo does: a Redis whose name a silent name server
# leaves unanswered is reached once resolv.conf names one that answers,
# and a Redis whose name /etc/hosts maps to an address where nothing
# listens is reached once /etc/hosts maps it to the right one; each
# file rewritten in place, while wsgate runs (both bind-mounted in this
# test's own mount namespace; tests/wsgate/dns.py is the name server).
# Read once at start, wsgate kept failing until it was restarted.
# shellcheck disable=SC2034 # read by lib.sh
TP_MOUNTS=private
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
. "$TESTS/wsgate/dns.sh"

# wsgate_run HOST: wsgate on Redis by the name HOST, not start_wsgate
# (its readiness waits for Redis)
wsgate_run() {
	WS_PORT=$(free_port)
	"$BIN/wsgate" -v -l "127.0.0.1:$WS_PORT" -u "redis://$1:$REDIS_PORT" \
	    2>"$T/wsgate.log" &
	WS_PID=$!
	track "$WS_PID"
}

# failed N WORDS: wsgate said WORDS (an extended regexp) N times or more
failed() {
	[ "$(grep -Ec "redis subscriber: .*$2" "$T/wsgate.log")" -ge "$1" ]
}

start_redis
# "silent" knows no name, "answers" knows redis.tp-test
dns_start silent none.tp-test=127.0.0.9
dns_start answers redis.tp-test=127.0.0.1
dns_mount silent "timeout:1 attempts:1"

# a name server that answers, named while wsgate runs
wsgate_run redis.tp-test
wait_for 20 failed 2 "name lookup of redis.tp-test" ||
    fail "the silent name server's failure not said twice: $(tail -n 3 "$T/wsgate.log")"
grep -q "^redis.tp-test 1$" "$T/silent.log" ||
    fail "the silent name server not asked: $(cat "$T/silent.log")"
dns_resolv answers "timeout:1 attempts:1"
wait_for 20 grep -q "redis subscriber: connected" "$T/wsgate.log" ||
    fail "resolv.conf's new name server not asked: $(tail -n 3 "$T/wsgate.log"); it was asked: $(cat "$T/answers.log")"
wait_for 20 grep -q "redis commands: connected" "$T/wsgate.log" ||
    fail "no commands connection by name: $(tail -n 3 "$T/wsgate.log")"
stop_wsgate

# /etc/hosts mapping the name where nothing listens, then mended
printf '127.0.0.1 localhost\n127.0.0.3 moved.tp-test\n' >"$T/hosts"
wsgate_run moved.tp-test
wait_for 20 failed 2 "Connection refused" ||
    fail "the connection (to 127.0.0.3) not refused twice: $(tail -n 3 "$T/wsgate.log")"
printf '127.0.0.1 localhost moved.tp-test\n' >"$T/hosts"
wait_for 20 grep -q "redis subscriber: connected" "$T/wsgate.log" ||
    fail "/etc/hosts's new address not used: $(tail -n 3 "$T/wsgate.log")"
grep -q "moved.tp-test" "$T/answers.log" "$T/silent.log" &&
    fail "a name of /etc/hosts asked of a name server"
stop_wsgate
