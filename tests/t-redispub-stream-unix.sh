#!/bin/sh
# t-redispub-stream-unix: over a Unix socket URL, with --stream 100 and
# --prefix t1, every channel C gets a capped stream C.stream whose newest
# entry holds the last line published on C, and nothing is dropped.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=3000
start_redis --unixsocket "$T/redis.sock" --unixsocketperm 700
"$GEN" --count "$N" --symbols 2 >"$T/in"
"$RP" -u "$T/redis.sock" --prefix t1 --stream 100 <"$T/in" 2>"$T/err" ||
    { cat "$T/err"; fail "redispub failed"; }
assert_eq "published" "$N" "$(counter published "$T/err")"
assert_eq "redis errors" 0 "$(counter redis_errors "$T/err")"
book expect t1 <"$T/in" >"$T/expect"
cut -f 1 "$T/expect" | sort -u >"$T/chans"
while read -r c; do
	len=$(rcli xlen "$c.stream")
	if [ "$len" -lt 100 ] || [ "$len" -ge 400 ]; then
		fail "$c.stream: length $len, not about 100"
	fi
	want=$(grep "^$c	" "$T/expect" | tail -n 1 | cut -f 2)
	got=$(rcli --raw xrevrange "$c.stream" + - COUNT 1 | tail -n 1)
	assert_eq "$c.stream newest entry" "$want" "$got"
done <"$T/chans"
note "streams: $(tr '\n' ' ' <"$T/chans")"
