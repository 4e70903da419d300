#!/bin/sh
# t-deriver-restart-input-replaced-published: restarted on its output
# ring, re-reading the input without publishing (with other options than
# the run that wrote it, nothing past the src_seq of its last derived
# record yet), deriver(1) publishes what it derives once the input ring
# is replaced by a new collector's (deriver(1), Restarts): the output
# ring holds what the first run wrote, the status saying the input ring
# was replaced, then what one run derives from the new ring alone.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade SYMBOL MS: a sim trade of SYMBOL at MS ms
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"%s","ts":%s000000,"recv":%s000000,"price":"1","qty":"1","side":"buy","tid":"x"}\n' \
	    "$1" "$2" "$2"
}
{
	trade BTC-USD 500
	trade BTC-USD 1500
	trade BTC-USD 2500	# seq 3: the bar of 1 s from 1 s, the last
} >"$T/first"
{
	trade ETH-USD 10000
	trade ETH-USD 10600
	trade ETH-USD 11200
} >"$T/new"
options="--no-quotes --no-xbest"
lines() { "$BIN/shmreader" --ring "$1" --no-follow | sed 's/,"seq":[0-9]*,/,/'; }
# all_out: ring D holds as many lines as the first run's, the status
# and the new ring's
all_out() {
	[ "$(lines "$D" | wc -l)" -ge \
	    $(($(wc -l <"$T/first.out") + 1 + $(wc -l <"$T/new.out"))) ]
}

cp "$T/first" "$T/lines"
feed_a
# shellcheck disable=SC2086 # options, split
"$BIN/deriver" --ring "$A" --out "$D" --no-follow $options --bar 1s \
    2>"$T/derive.1.err" || fail "deriver 1: $(cat "$T/derive.1.err")"
lines "$D" >"$T/first.out"
tail -n 1 "$T/first.out" | grep -q '^{"type":"bar",.*"src_seq":3,' ||
    fail "the output does not end with the bar of seq 3: $(cat "$T/first.out")"

# one run on the new ring alone
cp "$T/new" "$T/lines"
A=$RING.c
feed_a
# shellcheck disable=SC2086
"$BIN/deriver" --ring "$A" --out "$RING.f" --no-follow $options \
    --bar 500ms 2>"$T/derive.f.err" || fail "deriver f: $(cat "$T/derive.f.err")"
lines "$RING.f" >"$T/new.out"
assert_eq "bars of the new ring" 2 "$(grep -c '"type":"bar"' "$T/new.out")"
A=$RING.a

# the restart, with bars of 500 ms: nothing of ring A published
# shellcheck disable=SC2086
"$BIN/deriver" --ring "$A" --out "$D" $options --bar 500ms -d 3 \
    3>"$T/ready" 2>"$T/derive.2.err" &
d=$!
track $d
wait_for 10 test -s "$T/ready" || fail "not ready: $(cat "$T/derive.2.err")"
"$BIN/shmreader" --ring "$A" --unlink || fail "could not remove ring A"
feed_a
wait_for 10 all_out || fail "not all published: $(lines "$D")"
kill -TERM $d
wait_pid 5 $d deriver || fail "deriver: exit $?: $(cat "$T/derive.2.err")"
lines "$D" >"$T/restarted"
{
	cat "$T/first.out"
	sed -n "$(($(wc -l <"$T/first.out") + 1))p" "$T/restarted" |
	    grep '^{"type":"status","venue":"all",.*"status":"resync","reason":"deriver: input ring replaced: '
	cat "$T/new.out"
} | cmp - "$T/restarted" >/dev/null ||
    fail "not the first run's lines, the status and the new ring's: $(cat "$T/restarted")"
grep -q "^deriver: ring $D holds what was derived up to input seq 3: 3 input records re-read without publishing\$" \
    "$T/derive.2.err" || fail "not said: $(cat "$T/derive.2.err")"
exit 0
