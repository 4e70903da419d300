#!/bin/sh
# tests/run.sh TEST...: runs each test (a cmocka binary or a shell script),
# prints PASS/FAIL/SKIP per test and a closing "N passed, N failed" line.
# Exit status 0 only if nothing failed.
#
# Shared memory: a test that leaves a /dev/shm/tickpipe.* object behind
# fails.  Each shell test names its rings with a prefix unique to it
# (tests/lib.sh writes it to $TP_SHM_NAMES), so a leak is pinned on the
# test; the leftovers are listed and removed.  At the end, any tickpipe
# object that is there and was not before the run fails the run, unless
# it is named after a test shell that is not one of this run's (another
# `make check` on the same machine) or its writer still runs (a test ends
# every process it starts).
set -u
pass=0 failn=0 skipn=0 failed=""
: "${BIN:?BIN must name the build directory}"
export BIN
mkdir -p "$BIN/test-logs"
SHM=/dev/shm

# shm_objects: the tickpipe objects in /dev/shm, one name a line, sorted
shm_objects() {
	for _f in "$SHM"/tickpipe.*; do
		{ [ -e "$_f" ] || [ -L "$_f" ]; } && echo "${_f#"$SHM"/}"
	done | sort
}

# shm_leaks FILE: the objects named by the prefixes in FILE
shm_leaks() {
	[ -s "$1" ] || return 0
	while read -r _p; do
		for _f in "$SHM"/tickpipe."$_p"*; do
			{ [ -e "$_f" ] || [ -L "$_f" ]; } && echo "${_f#"$SHM"/}"
		done
	done <"$1"
}

# this run's own: another run.sh of the same $BIN must not read them
prefixes="$BIN/test-logs/.shm-prefixes.$$"
: >"$prefixes"
shm_objects >"$prefixes.before"
TP_SHM_NAMES="$BIN/test-logs/.shm-prefixes.$$.test"
export TP_SHM_NAMES

for t in "$@"; do
	name=$(basename "$t")
	start=$(date +%s)
	log="$BIN/test-logs/$name.log"
	: >"$TP_SHM_NAMES"
	case "$t" in
	*.sh) timeout "${TEST_TIMEOUT:-600}" sh "$t" >"$log" 2>&1 ;;
	*) timeout "${TEST_TIMEOUT:-600}" "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	cat "$TP_SHM_NAMES" >>"$prefixes"
	leaks=$(shm_leaks "$TP_SHM_NAMES" | paste -sd ' ' -)
	if [ -n "$leaks" ]; then
		echo "FAIL: $name: left in $SHM (now removed): $leaks" >>"$log"
		for _o in $leaks; do rm -f "${SHM:?}/$_o"; done
		[ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || rc=1
	fi
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipn=$((skipn + 1)); echo "SKIP $name: $(grep SKIP "$log" | tail -n 1)" ;;
	*) failn=$((failn + 1)); failed="$failed $name"
	   # the findings first: a CI summary may show only the top of this
	   echo "FAIL $name (exit $rc, ${secs}s): $(grep -h 'FAIL' "$log" |
	       head -n 5 | cut -c 1-300)"
	   echo "last lines of $log:"
	   # a test the timeout stopped lists its own files (tests/lib.sh)
	   [ "$rc" -eq 124 ] && n=80 || n=25
	   tail -n "$n" "$log" | sed 's/^/    /' ;;
	esac
done
rm -f "$TP_SHM_NAMES"

# what is in /dev/shm now and was not before, other runs' tests aside
new=$(shm_objects | comm -13 "$prefixes.before" -)
left=""
for o in $new; do
	case $o in
	tickpipe.t[0-9]*.*)
		p=${o#tickpipe.t}
		p=${p%%.*}
		if ! grep -qx "t$p." "$prefixes"; then
			echo "note: $SHM/$o: from test shell $p, not of this run"
			continue
		fi ;;
	*)
		w=$("$BIN/shmreader" --ring "${o#tickpipe.}" --stat 2>/dev/null |
		    sed -n 's/^writer_pid: *\([0-9]*\)$/\1/p')
		if [ -n "$w" ] && [ "$w" != 0 ] && kill -0 "$w" 2>/dev/null; then
			echo "note: $SHM/$o: its writer $w still runs, not a test's"
			continue
		fi ;;
	esac
	left="$left $o"
done
rm -f "$prefixes" "$prefixes.before"
if [ -n "$left" ]; then
	echo "FAIL: $SHM holds tickpipe objects it did not hold before the run:$left"
	failn=$((failn + 1))
	failed="$failed (shm:$left)"
fi
[ -z "$failed" ] || echo "failed:$failed"
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
