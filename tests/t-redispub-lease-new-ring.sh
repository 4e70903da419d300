#!/bin/sh
# shellcheck disable=SC2154 # rp: set by standby_fed (tests/redispub/rp.sh)
# t-redispub-lease-new-ring: a standby redispub reads seq 48 to 50, then
# a gap line saying a new ring begins ("new_ring":true, tickpipe-json(5)),
# then seq 1 to 3 of the new ring.  Taking the lease, it must announce
# the resync at seq 4, the new ring's, and leave 4 as last_seq (the
# resume point of tickpipe(8)).  It announced 51, past every record the
# new ring had, and left last_seq 51.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis

trade() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":%s,"recv":1,"price":"1","qty":"1","side":"buy","tid":"t"}\n' "$1"
}
{
	trade 48; trade 49; trade 50
	echo '{"type":"gap","from":51,"lost":0,"new_ring":true}'
	trade 1; trade 2; trade 3
} >"$T/in"

standby_fed 7
rcli del md.lease >/dev/null
wait_for 10 grep -q "lease md.lease taken" "$T/err" ||
	fail "the lease not taken: $(cat "$T/err")"
grep -q 'lease md.lease taken: publishing from seq 4 (7 lines' "$T/err" ||
	fail "not taken from seq 4: $(grep 'lease md.lease taken' "$T/err")"
exec 3>&-
wait_pid 20 "$rp" "redispub" || fail "redispub exited $?: $(cat "$T/err")"
assert_eq "last_seq" 4 "$(counter last_seq "$T/err")"
exit 0
