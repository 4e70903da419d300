#!/bin/sh
# t-redispub-reply-too-long: a reply longer than 128 MiB is a protocol
# error (redispub(1)): the connection is dropped, said, and made again,
# and this process never holds much more than that of it.  A server
# (tests/redispub/fakeredis.py) that answers the handshake, then the
# first command with a bulk string of 10^9 bytes of which it sends 300
# MiB: redispub held it all, growing, without a word.  Its second
# connection is answered as Redis would: the line is published.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
small_asan_quarantine
PORT=$(free_port)
/usr/bin/python3 "$TESTS/redispub/fakeredis.py" "$PORT" "$T/ready" huge 1 \
    2>"$T/fake.err" &
track $!
wait_for 10 test -e "$T/ready" || fail "fakeredis did not start"

mkfifo "$T/fifo"
# --reply-timeout 60: the bound, not the 10 s timeout, must end the
# read, however slowly the 128 MiB come (under ASan beside another test,
# once not within 10 s)
"$RP" -u "redis://127.0.0.1:$PORT" --stats-interval 0 --reply-timeout 60 \
    <"$T/fifo" 2>"$T/err" &
rp=$!
track $rp
exec 3>"$T/fifo"
echo '{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1,"price":"1","qty":"2","side":"buy","tid":"1"}' >&3
wait_for 60 grep -q 'reconnected' "$T/err" ||
    fail "no reconnection after a reply of 300 MiB and more: $(cat "$T/err"); peak RSS $(grep VmHWM "/proc/$rp/status")"
grep -q 'protocol error: a reply longer than 128 MiB' "$T/err" ||
    fail "the reply too long not said: $(cat "$T/err")"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$rp/status")
# under make SAN=1 (ASan: realloc always copies, a shadow an eighth
# more, freed memory quarantined) the bounded reply peaked at 279 MiB;
# the plain build's bound is the one that tells the code before (it
# held the whole 300 MiB sent); under ASan that was not measured
lim=200
! ldd "$RP" 2>/dev/null | grep -q libasan || lim=400
note "peak RSS $hwm kB (limit $lim MiB)"
[ "$hwm" -lt $((lim * 1024)) ] ||
    fail "redispub held $hwm kB of a reply bound to 128 MiB"
exec 3>&-
wait_pid 10 $rp "redispub, at the end of input"
assert_eq "exit status" 0 "$?"
assert_eq "published" 1 "$(counter published "$T/err")"
