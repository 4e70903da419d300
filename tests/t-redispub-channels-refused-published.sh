#!/bin/sh
# t-redispub-channels-refused-published: a line whose channel Redis
# refuses to add to PREFIX.channels is published, not dropped
# (redispub(1)).  With md.channels holding a string, each channel's first
# SADD is answered -WRONGTYPE: redispub counted those lines as dropped and
# exited 69 ("2 of 5 lines dropped"), though the subscriber got all 5.  It
# counts them as published, says what was refused, and exits 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
rcli set md.channels not-a-set >/dev/null
"$SUB" -p -n 5 -t 10 -P "$REDIS_PORT" 'md.sim.*' >"$T/got" 2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
"$GEN" --count 5 --symbols 2 >"$T/in"
"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/in" 2>"$T/err"
rc=$?
wait_pid 20 $sub "the subscriber"
cat "$T/err" >&2
assert_eq "lines received" 5 "$(wc -l <"$T/got")"
assert_eq "exit status" 0 "$rc"
assert_eq "published" 5 "$(counter published "$T/err")"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
grep -q 'published, but redis refused adding its channel.*WRONGTYPE' "$T/err" ||
    fail "the refused SADD not said"
