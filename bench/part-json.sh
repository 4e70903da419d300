#!/bin/sh
# part-json.sh: the JSON scanner (common/json.h) beside jansson on the
# same messages (bench/json.c), CPU time per message:
#  - the simulator's JSONL lines (collector sim -> ring -> shmreader), as
#    redispub routes them: check + pick "type", "venue", "symbol", "seq",
#    "recv" in one pass (jt_pick); jt_parse alone; jansson load + get;
#  - venue messages: the frames of the recorded captures in
#    tests/fixtures/venues/ when there are any, else the venue-shaped
#    messages of the fuzz seeds, with the top-level names the adapters
#    read.
set -u
: "${BIN:?}"
prog=$BIN/bench/json
for p in "$prog" "$BIN/collector" "$BIN/shmreader"; do
	[ -x "$p" ] || { echo "part-json: $p not built" >&2; exit 1; }
done
dir=$(dirname "$0")/..
T=$(mktemp -d)
ring="benchjson.$$"
cleanup() {
	"$BIN/shmreader" --ring "$ring" --unlink 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# row SET WHAT NAMES MAX_NS MIN_X: runs bench/json on $T/in and prints
# the baseline row and the scanner's, met when its time is at most MAX_NS
# (0: any) and it is at least MIN_X times faster than jansson.
row() {
	"$prog" -k "$3" "$T/in" >"$T/out" ||
	    { echo "part-json: json failed" >&2; exit 1; }
	read -r n mean pick parse jansson <"$T/out"
	x=$(( jansson / pick ))
	goal=">= ${5}x jansson" met=yes
	[ "$4" -gt 0 ] && goal="<= $4 ns/msg, $goal"
	{ [ "$4" -gt 0 ] && [ "$pick" -gt "$4" ]; } && met=no
	[ "$x" -lt "$5" ] && met=no
	echo "| json | $1 ($n msgs, $mean B mean): jansson json_loadb + json_object_get of the same names (baseline) | $jansson ns/msg | | |"
	echo "| json | $1: jt_pick, $2 in the checking pass (jt_parse alone: $parse ns/msg) | $pick ns/msg = ${x}x faster | $goal | $met |"
}

"$BIN/collector" --ring "$ring" --capacity 1048576 sim --rate max \
    --count "${JSON_BENCH_LINES:-100000}" ||
    { echo "part-json: collector failed" >&2; exit 1; }
"$BIN/shmreader" --ring "$ring" --no-follow >"$T/in"
row "simulator JSONL lines" "5 routing members" \
    type,venue,symbol,seq,recv 450 10

set -- "$dir"/tests/fixtures/venues/*.jsonl.xz
if [ -f "$1" ]; then
	what="recorded venue frames ($(echo "$@" | wc -w) captures)"
	for f; do xz -dc "$f"; done | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("t") == "recv":
        print(r["text"].replace("\n", " "))' >"$T/in" ||
	    { echo "part-json: captures unreadable" >&2; exit 1; }
else
	what="venue-shaped messages (tests/fuzz/seed/json-*)"
	for f in coinbase kraken binance bybit okx; do
		cat "$dir/tests/fuzz/seed/json-$f"
		echo
	done >"$T/in"
fi
row "$what" "the top-level names adapters read" \
    channel,type,data,stream,topic,arg,action,sequence_num,events,event 0 10
