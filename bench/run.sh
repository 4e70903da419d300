#!/bin/sh
# bench/run.sh: `make bench`.  Runs every bench/part-*.sh in turn (each
# measures its side-by-side comparisons in this same run) and prints one
# table.  Each part prints rows "| area | measurement | value | goal | met |".
# What a part says on standard error is printed after the table, under
# its name: a warning is never thrown away.
set -u
: "${BIN:?BIN must name the build directory}"
export BIN
dir=$(dirname "$0")
err=$(mktemp -d)
trap 'rm -rf "$err"' EXIT
echo "tickpipe benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| area | measurement | value | goal | met |"
echo "|---|---|---|---|---|"
for p in "$dir"/part-*.sh; do
	[ -f "$p" ] || continue
	n=$(basename "$p")
	sh "$p" 2>"$err/$n" || echo "| $n | FAILED: $(tail -n 1 "$err/$n") | | | no |"
done
for f in "$err"/*; do
	[ -s "$f" ] || continue
	printf '\nstandard error of %s:\n' "${f##*/}"
	sed 's/^/    /' "$f"
done
