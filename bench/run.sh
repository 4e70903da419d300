#!/bin/sh
# bench/run.sh: `make bench`.  Runs every bench/part-*.sh in turn (each
# measures its side-by-side comparisons in this same run) and prints one
# table.  Each part prints rows "| area | measurement | value | goal | met |".
set -u
: "${BIN:?BIN must name the build directory}"
export BIN
dir=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "tickpipe benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| area | measurement | value | goal | met |"
echo "|---|---|---|---|---|"
for p in "$dir"/part-*.sh; do
	[ -f "$p" ] || continue
	sh "$p" 2>"$out.err" || echo "| $(basename "$p") | FAILED: $(tail -n 1 "$out.err") | | | no |"
done
