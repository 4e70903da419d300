#!/bin/sh
# t-redispub-loading-held: an answer that means "not now" is no refusal
# (redispub(1)).  A server (tests/redispub/fakeredis.py) that passes the
# handshake, then answers every command of its first connection
# "-LOADING Redis is loading the dataset in memory", as a Redis restarted
# from its data may: redispub dropped every line, each logged as refused.
# It holds them, says so once, reconnects and publishes them all on the
# second connection, which is answered as Redis would, with a gap line
# for those sent after the first one refused.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
PORT=$(free_port)
/usr/bin/python3 "$TESTS/redispub/fakeredis.py" "$PORT" "$T/ready" \
    "-LOADING Redis is loading the dataset in memory" 1 2>"$T/fake.err" &
track $!
wait_for 10 test -e "$T/ready" || fail "fakeredis did not start"
"$GEN" --count 5 --symbols 1 >"$T/in"
"$RP" -u "redis://127.0.0.1:$PORT" --stats-interval 0 <"$T/in" 2>"$T/err" &
rp=$!
track $rp
wait_pid 30 $rp "redispub, at the end of its input,"
rc=$?
cat "$T/err" >&2
assert_eq "exit status" 0 "$rc"
# and the gap line for the lines in flight after the first refused
assert_eq "published" "$(counter lines "$T/err")" "$(counter published "$T/err")"
[ "$(counter published "$T/err")" -ge 5 ] || fail "not every line published"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
assert_eq "reconnects" 1 "$(counter reconnects "$T/err")"
assert_eq "refusals said" 1 "$(grep -c 'refused a command for now (LOADING' "$T/err")"
