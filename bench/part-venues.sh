#!/bin/sh
# part-venues.sh: normalization throughput of each live venue adapter:
# messages generated in the venue's shapes (not recorded ones: those are
# part-tardis) through its parser, book, integrity check (sequence chain
# or checksum) and into a ring, in one process without network
# (bench/venues.c).  Goal: 200 K msg/s each.
set -u
: "${BIN:?}"
prog=$BIN/bench/venues
[ -x "$prog" ] || { echo "part-venues: $prog not built" >&2; exit 1; }
out=$("$prog" -n "${VENUES_BENCH_MSGS:-200000}") || {
	echo "part-venues: venues failed" >&2
	exit 1
}
echo "$out" | while read -r venue msgs cpu wall rate; do
	met=no
	[ "$rate" -ge 200000 ] && met=yes
	echo "| venues | $venue: $msgs generated msgs parse+book+check+ring, per CPU second ($cpu s CPU, $wall s wall) | $rate msg/s | >= 200000 msg/s | $met |"
done
