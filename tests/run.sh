#!/bin/sh
# tests/run.sh TEST...: runs each test (a cmocka binary or a shell script),
# prints PASS/FAIL/SKIP per test and a closing "N passed, N failed" line.
# Exit status 0 only if nothing failed.
set -u
pass=0 failn=0 skipn=0 failed=""
: "${BIN:?BIN must name the build directory}"
export BIN
for t in "$@"; do
	name=$(basename "$t")
	start=$(date +%s)
	log="$BIN/test-logs/$name.log"
	mkdir -p "$BIN/test-logs"
	case "$t" in
	*.sh) timeout "${TEST_TIMEOUT:-600}" sh "$t" >"$log" 2>&1 ;;
	*) timeout "${TEST_TIMEOUT:-600}" "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipn=$((skipn + 1)); echo "SKIP $name: $(grep SKIP "$log" | tail -n 1)" ;;
	*) failn=$((failn + 1)); failed="$failed $name"
	   echo "FAIL $name (exit $rc, ${secs}s); last lines of $log:"
	   tail -n 25 "$log" | sed 's/^/    /' ;;
	esac
done
[ -z "$failed" ] || echo "failed:$failed"
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
