#!/bin/sh
# part-ring.sh: ring latency and throughput (ringbench), and the resident
# memory of collector and shmreader without the ring mapping.
set -u
"$BIN/bench/ringbench" || exit 1

# The wake-up rows again with idle vCPUs polling up to 200 us before they
# halt (the guest's haltpoll cpuidle driver; see tickpipe(8) and
# part-hops.sh's haltpoll cut): set for this run, put back after.
HP=/sys/module/haltpoll/parameters/guest_halt_poll_ns
if [ -w "$HP" ] && hp=$(cat "$HP") && [ -n "$hp" ]; then
	trap 'echo "$hp" >"$HP"' EXIT
	trap 'exit 1' INT TERM
	if echo 200000 >"$HP" 2>/dev/null; then
		out=$("$BIN/bench/ringbench") || out=""
	else
		out=""
	fi
	echo "$hp" >"$HP"
	trap - EXIT INT TERM
	if [ -n "$out" ]; then
		echo "$out" | grep -E '(blocking reader|pipe|unix socket) one-way|ring blocking p50' |
		    sed 's/^| ring latency | /| ring latency | guest_halt_poll_ns 200000 (idle vCPUs poll before they halt): /'
	else
		echo "| ring latency | guest_halt_poll_ns 200000: not run (could not set it, or ringbench failed) | | | |"
	fi
else
	echo "| ring latency | guest_halt_poll_ns 200000: not run (no writable $HP: not the haltpoll cpuidle driver, or not root) | | | |"
fi

# RSS without the shared ring: sum Rss over mappings not of the ring.
rss_kib() {
	awk -v ring="tickpipe.$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { skip = index($0, ring) > 0 }
		/^Rss:/ && !skip { s += $2 }
		END { print s }' "/proc/$1/smaps"
}
ring="benchrss.$$"
"$BIN/collector" --ring "$ring" sim --rate 20000 &
cpid=$!
sleep 0.5
"$BIN/shmreader" --ring "$ring" >/dev/null &
rpid=$!
sleep 2
c=$(rss_kib "$cpid" "$ring")
r=$(rss_kib "$rpid" "$ring")
kill "$cpid" "$rpid" 2>/dev/null
wait "$cpid" "$rpid" 2>/dev/null
"$BIN/shmreader" --ring "$ring" --unlink 2>/dev/null
for x in "collector:$c" "shmreader:$r"; do
	n=${x%%:*} v=${x#*:}
	ok=no
	[ "$v" -lt 8192 ] && ok=yes
	echo "| memory | $n RSS without the ring mapping (sim at 20 K msg/s) | $((v / 1024)).$(( (v % 1024) * 10 / 1024 )) MiB | < 8 MiB | $ok |"
done
