#!/bin/sh
# t-deriver-restart-other-options-past-src-seq: restarted on its output
# ring with other options than the run that wrote it, deriver(1)
# publishes what it derives from the first input message past the
# src_seq of the ring's last derived record, and nothing before it
# (deriver(1), Restarts): the ring holds what the first run wrote, then
# what one run with the new options on the whole input derives from
# those messages.  The last derived record, a bar of 1 s, is given
# again with other records of its message (bars of 500 ms): after a
# status the ring holds, at the end of the ring, or not at all.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # A, D: read by dv.sh
{ A=$RING.a; D=$RING.d; }
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# trade MS QTY: a sim BTC-USD trade at price 1 at MS ms
trade() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s000000,"recv":%s000000,"price":"1","qty":"%s","side":"buy","tid":"x"}\n' \
	    "$1" "$1" "$2"
}
{
	trade 500 9223372036854775807
	trade 1500 1
	trade 2500 1	# seq 3: the bar of 1 s from 1 s, the last derived
} >"$T/first"
{
	trade 3500 1
	trade 4500 1
} >"$T/second"
# derive OUT N OPTION...: the deriver from A into OUT with the bars
# OPTION... gives, its standard error in $T/derive.N.err
derive() {
	_out=$1 _n=$2
	shift 2
	"$BIN/deriver" --ring "$A" --out "$_out" --no-follow --no-quotes \
	    --no-xbest "$@" 2>"$T/derive.$_n.err" ||
	    fail "deriver $_n: $(cat "$T/derive.$_n.err")"
}
lines() { "$BIN/shmreader" --ring "$1" --no-follow | sed 's/,"seq":[0-9]*,/,/'; }
# past_3: the lines read with a src_seq past 3
past_3() {
	awk -F '"src_seq":' 'NF > 1 { split($2, f, ","); if (f[1] + 0 > 3) print }'
}

# case N LAST FIRST RESTART: the first run with the options FIRST into
# ring N, its output ending with a LAST line, the restart with RESTART,
# and one run with RESTART on the whole input
case_() {
	A=$RING.a$1
	cp "$T/first" "$T/lines"
	feed_a
	# shellcheck disable=SC2086 # FIRST, RESTART: options, split
	derive "$RING.d$1" "$1.1" $3
	lines "$RING.d$1" >"$T/first.$1"
	tail -n 1 "$T/first.$1" | grep -q "^{\"type\":\"$2\"" ||
	    fail "case $1: the first run does not end with a $2: $(cat "$T/first.$1")"
	cp "$T/second" "$T/lines"
	feed_a
	# shellcheck disable=SC2086
	derive "$RING.d$1" "$1.2" $4
	lines "$RING.d$1" >"$T/restarted.$1"
	A=$RING.b$1
	cat "$T/first" "$T/second" >"$T/lines"
	feed_a
	# shellcheck disable=SC2086
	derive "$RING.e$1" "$1.3" $4
	lines "$RING.e$1" | past_3 >"$T/past.$1"
	grep -q '"interval":"500ms"' "$T/past.$1" ||
	    fail "case $1: no bar of 500 ms past seq 3: $(cat "$T/past.$1")"
	cat "$T/first.$1" "$T/past.$1" | cmp - "$T/restarted.$1" >/dev/null ||
	    fail "case $1: not the first run's lines and those past seq 3: $(cat "$T/first.$1" "$T/past.$1" | diff - "$T/restarted.$1" | cut -c 1-160)"
}
# the bar of 2 s to seq 3 does not fit: a status after the last bar
case_ 1 status "--bar 1s --bar 2s" "--bar 1s --bar 500ms"
case_ 2 bar "--bar 1s" "--bar 1s --bar 500ms"
case_ 3 bar "--bar 1s" "--bar 500ms"
exit 0
