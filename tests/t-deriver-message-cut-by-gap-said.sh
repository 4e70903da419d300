#!/bin/sh
# t-deriver-message-cut-by-gap-said: a book message begun in the input
# and cut by a gap (here the input ring replaced before its LAST came)
# is dropped, said on standard error with its reason, "book message at
# seq 1: cut by a gap: dropped", and counted (deriver(1)).  Before: it
# was counted (partial 1) and said by nothing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d

# put LINE: LINE published into ring A by ringtool put
put() {
	echo "$1" | "$BIN/tests/ringtool" put "$A" --capacity 64 \
	    >"$T/put" 2>&1 || fail "ringtool put: $(cat "$T/put")"
}

# a snapshot's first record, START without LAST
put 'type=2 flags=5 venue=1 symbol=BTC-USD ts=1000 recv=1000 nbids=1 level=10:0:1:0'
"$BIN/deriver" -v --ring "$A" --out "$D" -d 3 3>"$T/ready" 2>"$T/err" &
d=$!
track $d
wait_for 10 test -s "$T/ready" || fail "not ready: $(cat "$T/err")"
sleep 0.3
"$BIN/shmreader" --ring "$A" --unlink 2>"$T/unlink" ||
    fail "shmreader --unlink: $(cat "$T/unlink")"
put 'type=1 venue=1 symbol=BTC-USD ts=2000 recv=2000 price=1 qty=1 side=1 tid=a'
wait_for 10 grep -q 'books invalid until their next snapshot' "$T/err" ||
    fail "no gap said: $(cat "$T/err")"
kill $d
wait_pid 5 $d deriver
assert_eq "deriver: exit status after SIGTERM" 0 "$?"
grep -q '^deriver: counters: .* partial 1 ' "$T/err" ||
    fail "not counted: $(cat "$T/err")"
grep -q '^deriver: book message at seq 1: cut by a gap: dropped$' "$T/err" ||
    fail "not said: $(cat "$T/err")"
exit 0
