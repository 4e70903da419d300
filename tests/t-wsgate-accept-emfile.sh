#!/bin/sh
# accept(2) itself failing for want of a descriptor: wsgate's limit is
# lowered under it (prlimit(1)) to two above the descriptors it holds,
# far below what its connection limit, counted from the limit at start,
# allows.  40 connections held open: wsgate must not spin on its
# readable listener; it accepts each waiting connection with its spare
# descriptor and closes it at once, counts them
# (wsgate_fd_limit_closed_total), says so in its log ("accept: Too many
# open files: [N connections closed at once, ]listener paused 100 ms") a
# few lines at most, and once descriptors are free again it serves
# (wsgate(1)).  t-wsgate-fd-limit stops at the connection limit, before
# accept(2) fails.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"
command -v prlimit >/dev/null || skip "no prlimit (util-linux)"

start_redis
WS_NOFILE=256 start_wsgate
nfd=$(find "/proc/$WS_PID/fd" -mindepth 1 | wc -l)
prlimit --pid "$WS_PID" --nofile=$((nfd + 2)):256 ||
    fail "prlimit of wsgate to $((nfd + 2)) descriptors"
hold_cpu 40 hold
cpu=$HOLD_CPU
tail -c +"$((HOLD_LOG0 + 1))" "$T/wsgate.log" >"$T/new.log"
note "accept(2) at EMFILE: CPU ${cpu}%, log +$(wc -l <"$T/new.log") lines, $(cat "$T/hold.out") of 40 connections closed by wsgate"
[ "$cpu" -le 10 ] || fail "wsgate used ${cpu}% CPU with accept(2) failing"
# the first line of a burst is said (the others within a second are
# counted): "N connections closed at once", or none if the failing
# accept(2) found no connection waiting (the last one took the last
# descriptor; under load the clients come one at a time)
grep -Eq "accept: Too many open files: ([0-9]+ connections closed at once, )?listener paused 100 ms" "$T/new.log" ||
    fail "no accept failure said: $(tail -n 5 "$T/new.log")"
[ "$(grep -c accept: "$T/new.log")" -le 3 ] ||
    fail "accept failures said $(grep -c accept: "$T/new.log") times: $(head -n 5 "$T/new.log")"
[ "$(cat "$T/hold.out")" -ge 36 ] ||
    fail "only $(cat "$T/hold.out") of 40 connections closed with no descriptor to serve them"
# the connections gone, its descriptors are free again under the same limit
wait_for 10 healthz_ok ||
    fail "wsgate does not serve again after the connections went"
closed=$(metric wsgate_fd_limit_closed_total)
[ "${closed:-0}" -ge 36 ] || fail "$closed connections counted closed at the limit"
wsc status --url "$WS_URL" --expect 101 >"$T/st.out" 2>&1 ||
    fail "WebSocket after the limit: $(cat "$T/st.out")"
stop_wsgate
