#!/bin/sh
# t-shmreader-no-follow-finishes-message: shmreader --no-follow that
# reaches the end of the ring in the middle of a book message waits for
# the rest (up to 200 ms, sleeping on the ring's futex) and prints the
# whole message; a message whose rest never comes is dropped and said.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TOOL=$BIN/tests/ringtool
BK='type=2 venue=1 symbol=BTC-USD ts=1 recv=2 nbids=1'

# the writer stays open on a fifo: each line is published when written
mkfifo "$T/fifo"
"$TOOL" put "$RING" <"$T/fifo" >"$T/put" 2>&1 &
track $!
exec 3>"$T/fifo"
waiters() { od -A n -t u4 -j 132 -N 4 "$SHM" | tr -d ' '; }
# shellcheck disable=SC2317 # called through wait_for
published() { od -A n -t u8 -j 64 -N 8 "$SHM" 2>/dev/null | grep -qw "$1"; }
echo "$BK level=100:0:1:0 flags=1" >&3
wait_for 10 published 1 || fail "the first record was not published"

"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/err" &
sp=$!
track $sp
# it has read the START and sleeps, counted in the header's waiters
while [ "$(waiters)" != 1 ]; do
	kill -0 $sp 2>/dev/null ||
	    fail "shmreader stopped without waiting: $(cat "$T/err")"
done
echo "$BK level=99:0:1:0 flags=2" >&3
wait $sp || fail "shmreader: exit $?: $(cat "$T/err")"
grep -q '"seq":1,.*"bids":\[\["100","1"\],\["99","1"\]\]' "$T/out" ||
    fail "the message was not printed whole: $(cat "$T/out") $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "shmreader said: $(cat "$T/err")"

# the rest never comes: dropped, and said
echo "$BK level=100:0:1:0 flags=1" >&3
wait_for 10 published 3 || fail "the third record was not published"
"$BIN/shmreader" --ring "$RING" --no-follow --from 3 >"$T/out" 2>"$T/err" ||
    fail "shmreader: exit $?: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "printed part of a message: $(cat "$T/out")"
grep -q "book message at seq 3: no LAST when shmreader stopped: dropped" \
    "$T/err" || fail "the unfinished message was not said: $(cat "$T/err")"
exec 3>&-
exit 0
