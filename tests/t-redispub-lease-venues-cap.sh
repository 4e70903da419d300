#!/bin/sh
# t-redispub-lease-venues-cap: a standby redispub that read lines of 70
# venues, taking the lease, tells the first 64 of the takeover (a status
# "resync" each) and says that the others are not told (redispub(1)
# --lease).  It told 16 and said nothing of the rest.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis

i=1
while [ $i -le 70 ]; do
	printf '{"type":"trade","venue":"v%s","symbol":"BTC-USD","seq":%s,"recv":1,"price":"1","qty":"1","side":"buy","tid":"t"}\n' $i $i
	i=$((i + 1))
done >"$T/in"

rcli set md.lease another PX 60000 >/dev/null
mkfifo "$T/fifo"
"$RP" -u "$REDIS_URL" --lease md.lease --lease-ms 300 <"$T/fifo" \
    2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
wait_for 10 grep -q "lease md.lease is another's: standing by" "$T/err" ||
	fail "not standing by: $(cat "$T/err")"
cat "$T/in" >&3
# shellcheck disable=SC2317 # called by wait_for
read_all() {
	kill -USR1 "$rp"
	sleep 0.1
	grep 'counters:' "$T/err" | tail -n 1 | grep -q ' standby=70 '
}
wait_for 10 read_all ||
	fail "not all 70 lines read: $(grep counters: "$T/err" | tail -n 1)"
"$SUB" -p -n 64 -t 10 -P "$REDIS_PORT" 'md.*.status' >"$T/got" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
rcli del md.lease >/dev/null
wait_for 10 grep -q "lease md.lease taken" "$T/err" ||
	fail "the lease not taken: $(cat "$T/err")"
wait_pid 20 "$sub" "the subscriber" ||
	fail "not 64 resync lines: $(grep -c . "$T/got")"
exec 3>&-
wait_pid 20 "$rp" "redispub" || fail "redispub exited $?: $(cat "$T/err")"
grep -q 'lease md.lease: more than 64 venues read while standing by: those past the first 64 are not told of the takeover' "$T/err" ||
	fail "the venues not told are not said: $(cat "$T/err")"
assert_eq "venues told" "$(seq 1 64 | sed 's/^/v/' | sort)" \
    "$(sed -n 's/.*"venue":"\(v[0-9]*\)".*"status":"resync".*/\1/p' "$T/got" | sort)"
exit 0
