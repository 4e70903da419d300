#!/bin/sh
# t-supervisor-redis-password: the private Redis the supervisor starts
# takes only clients that know its password.  The password is made at the
# first start in STATE/redis.password (48 hex digits from /dev/urandom,
# mode 0600) and kept across restarts; a client without it, or with a
# wrong one, cannot PUBLISH; the stages use it (data reaches a Redis
# subscriber and a WebSocket client), yet it is in no process's argv;
# the redis-cli command `start` prints works as printed; Redis listens
# on loopback only.  Another server on the port is not taken for it, nor
# sent the password.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

[ ! -e "$SECRET" ] || fail "$SECRET exists before the first start"
tp_start
[ -s "$SECRET" ] || fail "no password file $SECRET after start"
assert_eq "mode of $SECRET" 600 "$(stat -c %a "$SECRET")"
pw=$(cat "$SECRET")
case $pw in
*[!0-9a-f]*) fail "password '$pw' is not hex digits" ;;
esac
assert_eq "password length" 48 "${#pw}"

# refused without the password, and with a wrong one
out=$(redis-cli -p "$REDIS_PORT" publish md.sim.BTC-USD.trade '{"fake":1}' 2>&1)
case $out in *NOAUTH*) ;; *) fail "PUBLISH without a password: '$out'" ;; esac
out=$(REDISCLI_AUTH=wrong redis-cli -p "$REDIS_PORT" publish md.x y 2>&1)
case $out in *WRONGPASS* | *invalid*) ;; *) fail "PUBLISH with a wrong password: '$out'" ;; esac
assert_eq "bind" "bind 127.0.0.1" "$(svcli config get bind | paste -sd ' ' -)"

# the stages got it: data reaches Redis subscribers and wsgate's clients
wait_for 15 data_flows || fail "no pipeline message reached a Redis subscriber"
if wsgate_enabled; then
	/usr/bin/python3 "$TESTS/wsgate/wsclient.py" sub --count 1 --timeout 15 \
	    --url "ws://127.0.0.1:$WS_PORT/ws" --channels 'md.sim.*.trade' \
	    >"$T/ws" 2>&1 || fail "wsgate relays nothing: $(cat "$T/ws")"
fi

# in no argv: every process of the pipeline, and anything else running
procs=$(procs_of_test | sort -u)
[ "$(echo "$procs" | grep -c .)" -ge 4 ] || fail "too few processes found: $procs"
for p in $procs; do
	tr '\0' ' ' <"/proc/$p/cmdline" >"$T/cmdline" 2>/dev/null || continue
	! grep -qF "$pw" "$T/cmdline" || fail "password in the argv of $p: $(cat "$T/cmdline")"
done
ps -eo pid=,args= >"$T/ps"	# all of it first: grep's own argv holds $pw
! grep -F "$pw" "$T/ps" || fail "password in the argv of a process"

# the command `start` printed, run as printed
cmd=$(sed -n 's/^ *live channels: *//p' "$T/out")
[ -n "$cmd" ] || fail "start printed no redis-cli command: $(cat "$T/out")"
out=$(sh -c "$cmd" 2>&1)
echo "$out" | grep -q '^md\.sim\.' || fail "'$cmd' printed: $out"

# kept across restarts
tp stop >/dev/null 2>&1 || fail "tickpipe stop exited $?"
tp start >"$T/out2" 2>&1 || { cat "$T/out2"; fail "second start exited $?"; }
assert_eq "password after a restart" "$pw" "$(cat "$SECRET")"
wait_for 15 data_flows || fail "no data after the restart"
tp stop >/dev/null 2>&1 || fail "tickpipe stop exited $?"

# another server on the port, answering +PONG to anything: it is not our
# Redis (ours cannot bind), so the redis stage is not up, and it is never
# sent the password (it was: any PONG on the port counted)
/usr/bin/python3 "$TESTS/supervisor/squat.py" "$REDIS_PORT" "$T/squat.log" \
    "$T/squat.ready" &
sq=$!
track $sq
wait_for 10 test -e "$T/squat.ready.bound" || fail "the squatter did not start"
tp start >"$T/out3" 2>&1
sleep 2
tp status >"$T/status3" 2>&1
grep -Eq "^redis +up " "$T/status3" &&
    fail "another server on the port taken for our Redis: $(grep '^redis' "$T/status3")"
! grep -qF "$pw" "$T/squat.log" ||
    fail "the password was sent to another server on the port"
tp stop >/dev/null 2>&1 || fail "tickpipe stop exited $?"
kill "$sq"
note "password file mode $(stat -c %a "$SECRET"), refused without it, $(echo "$procs" | grep -c .) processes checked"
