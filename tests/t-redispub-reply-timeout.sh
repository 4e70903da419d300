#!/bin/sh
# t-redispub-reply-timeout: a server that takes the commands and never
# answers them (tests/redispub/fakeredis.py hang: stopped, or a network
# that drops everything without a reset) is given up on after
# --reply-timeout seconds without a reply, said, and reconnected to, the
# lines in flight sent again (redispub(1)).  redispub waited silently,
# its lines in flight, until TCP's keepalive gave up hours later.  The
# second connection is answered: every line is published, exit 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
PORT=$(free_port)
/usr/bin/python3 "$TESTS/redispub/fakeredis.py" "$PORT" "$T/ready" hang 1 \
    2>"$T/fake.err" &
track $!
wait_for 10 test -e "$T/ready" || fail "fakeredis did not start"
for i in 1 2 3; do
	echo "{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\",\"seq\":$i,\"price\":\"1\",\"qty\":\"2\",\"side\":\"buy\",\"tid\":\"$i\"}"
done >"$T/in"
"$RP" -u "redis://127.0.0.1:$PORT" --stats-interval 0 --reply-timeout 2 \
    --flush-timeout 30 <"$T/in" 2>"$T/err" &
rp=$!
track $rp
wait_pid 30 $rp "redispub, at the end of its input,"
rc=$?
cat "$T/err" >&2
grep -q 'no reply for 2 s with 3 messages in flight' "$T/err" ||
    fail "the hang not said"
assert_eq "exit status" 0 "$rc"
assert_eq "published" 3 "$(counter published "$T/err")"
assert_eq "reconnects" 1 "$(counter reconnects "$T/err")"
