#!/bin/sh
# shellcheck disable=SC2154 # rp, sub: set by standby_fed, taken_heard (tests/redispub/rp.sh)
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

standby_fed 70
taken_heard 64
wait_pid 20 "$sub" "the subscriber" ||
	fail "not 64 resync lines: $(grep -c . "$T/got")"
exec 3>&-
wait_pid 20 "$rp" "redispub" || fail "redispub exited $?: $(cat "$T/err")"
grep -q 'lease md.lease: more than 64 venues read while standing by: those past the first 64 are not told of the takeover' "$T/err" ||
	fail "the venues not told are not said: $(cat "$T/err")"
assert_eq "venues told" "$(seq 1 64 | sed 's/^/v/' | sort)" \
    "$(sed -n 's/.*"venue":"\(v[0-9]*\)".*"status":"resync".*/\1/p' "$T/got" | sort)"
exit 0
