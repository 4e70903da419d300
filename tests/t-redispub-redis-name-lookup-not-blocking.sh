#!/bin/sh
# A Redis given by a host name is looked up without stopping redispub
# (redispub(1)): with /etc/resolv.conf naming a name server that never
# answers (tests/wsgate/dns.py; resolv.conf and /etc/hosts bind-mounted
# in this test's own mount namespace, "options timeout:5 attempts:2"),
# an attempt gives its lookup up after 2 s, said ("resolve
# mute.tp-test: no answer in 2000 ms"), so --connect-timeout 1 ends
# redispub (exit 69) some 2 s after its start, and a SIGTERM while a
# lookup is under way ends it at once.  getaddrinfo(3) held the whole
# process for the 10 s resolv.conf allows: no signal, line or timer
# served meanwhile.
# shellcheck disable=SC2034,SC1091 # TP_MOUNTS: read by lib.sh
TP_MOUNTS=private
. "$(dirname "$0")/lib.sh"
. "$TESTS/redispub/rp.sh"
. "$TESTS/wsgate/dns.sh"

dns_start dns none.tp-test=127.0.0.9
dns_mount dns "timeout:5 attempts:2"
URL=redis://mute.tp-test:6379

# --connect-timeout 1: given up with the first attempt's lookup, at 2 s
mkfifo "$T/fifo"
t0=$(date +%s%N)
"$RP" -u "$URL" --connect-timeout 1 --stats-interval 0 <"$T/fifo" \
    2>"$T/err1" &
rp=$!
track $rp
exec 3>"$T/fifo"
wait_for 15 exited $rp || fail "redispub did not give up within 15 s: $(cat "$T/err1")"
wait $rp
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
exec 3>&-
note "--connect-timeout 1: exit $rc after $ms ms: $(tail -n 1 "$T/err1")"
assert_eq "exit status" 69 "$rc"
grep -q "resolve mute.tp-test: no answer in 2000 ms" "$T/err1" ||
    fail "the lookup given up not said: $(cat "$T/err1")"
[ "$ms" -lt 5000 ] ||
    fail "gave up after $ms ms: the lookup held redispub past its 2 s"

# SIGTERM while the name server is being asked
t0=$(date +%s%N)
"$RP" -u "$URL" --stats-interval 0 <"$T/fifo" 2>"$T/err2" &
rp=$!
track $rp
exec 3>"$T/fifo"
asked() { [ "$(grep -c "^mute.tp-test" "$T/dns.log")" -ge "$1" ]; }
n=$(grep -c "^mute.tp-test" "$T/dns.log")
wait_for 10 asked "$((n + 1))" || fail "the name server not asked: $(cat "$T/err2")"
kill -TERM $rp
t1=$(date +%s%N)
wait_for 15 exited $rp || fail "redispub did not end within 15 s of SIGTERM"
wait $rp
rc=$?
ms=$(( ($(date +%s%N) - t1) / 1000000 ))
exec 3>&-
note "SIGTERM during the lookup: exit $rc after $ms ms"
assert_eq "exit status after SIGTERM" 0 "$rc"
[ "$ms" -lt 1000 ] ||
    fail "ended $ms ms after SIGTERM: the lookup held redispub"
