#!/bin/sh
# t-deriver-unfinished-message-said: a book message whose LAST the input
# never gives (its writer stopped inside it) is dropped when the deriver
# stops, at the end of the input with --no-follow or on SIGTERM, and is
# said and counted as any message dropped incomplete (deriver(1)),
# "book message at seq 1: no LAST when deriver stopped: dropped", as
# shmreader(1) says it.  Before: dropped without a word, partial 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d

said() {
	grep -q '^deriver: book message at seq 1: no LAST when deriver stopped: dropped$' "$1" &&
	    grep -q '^deriver: counters: .* partial 1 ' "$1"
}

# a snapshot's first record, START without LAST
echo 'type=2 flags=5 venue=1 symbol=BTC-USD ts=1000 recv=1000 nbids=1 level=10:0:1:0' |
    "$BIN/tests/ringtool" put "$A" --capacity 64 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"

"$BIN/deriver" -v --ring "$A" --out "$D" --no-follow 2>"$T/nf.err"
assert_eq "deriver --no-follow: exit status" 0 "$?"
said "$T/nf.err" || fail "--no-follow: not said: $(cat "$T/nf.err")"

"$BIN/deriver" -v --ring "$A" --out "$D.2" -d 3 3>"$T/ready" 2>"$T/term.err" &
d=$!
track $d
wait_for 10 test -s "$T/ready" || fail "not ready: $(cat "$T/term.err")"
sleep 0.3
kill $d
wait_pid 5 $d deriver
assert_eq "deriver: exit status after SIGTERM" 0 "$?"
said "$T/term.err" || fail "SIGTERM: not said: $(cat "$T/term.err")"
exit 0
