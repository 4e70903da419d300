#!/bin/sh
# part-iox.sh: tickpipe's ring beside iceoryx (Debian's iceoryx and
# libiceoryx-binding-c-dev, BENCH_PKGS), measured by one program in one
# run (bench/ioxbench.c): one-way latency of 256-byte samples to a reader
# in another process, spinning and blocking, lossless throughput, and the
# cache-line floor.  The iceoryx daemon RouDi (iox-roudi) is started here
# and stopped by its pid.
set -u
: "${BIN:?}"
prog=$BIN/bench/ioxbench
if ! [ -x "$prog" ] || ! command -v iox-roudi >/dev/null; then
	echo "| ring vs iceoryx | not run: no iox-roudi or $prog (make deps-bench) | | | no |"
	exit 0
fi
T=$(mktemp -d)
rpid=""
cleanup() {
	if [ -n "$rpid" ]; then
		kill "$rpid" 2>/dev/null
		wait "$rpid" 2>/dev/null
	fi
	# what a bench process killed before it deregistered leaves behind
	# (its runtime's socket and lock; one RouDi, so one ioxbench, at a
	# time: see below)
	rm -f /tmp/tpbench*
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# one RouDi per machine: its lock is in /tmp
if [ -e /tmp/roudi.lock ] && ! flock -n /tmp/roudi.lock true 2>/dev/null; then
	echo "part-iox: another RouDi is running (/tmp/roudi.lock)" >&2
	exit 1
fi
# -m off: no process monitoring; on a loaded machine RouDi otherwise
# drops a bench process whose keepalive came late, and its exit hangs
iox-roudi -m off -l warning >"$T/roudi.log" 2>&1 &
rpid=$!
i=0
until grep -qs 'RouDi is ready' "$T/roudi.log"; do
	i=$((i + 1))
	if [ $i -ge 200 ] || ! kill -0 "$rpid" 2>/dev/null; then
		echo "part-iox: RouDi did not start: $(tail -n 1 "$T/roudi.log")" >&2
		exit 1
	fi
	sleep 0.05
done
timeout 600 "$prog" ${IOXBENCH_QUICK:+-q} || {
	echo "part-iox: ioxbench failed: $(grep -v Info "$T/roudi.log" | tail -n 1)" >&2
	exit 1
}
