#!/bin/sh
# t-supervisor-log-rotate: a stage log (an s6-log directory) that grows
# past LOG_MAX bytes is rotated by renaming current to an @TAI64N.s
# archive, at most LOG_KEEP archives are kept, every line carries a
# TAI64N stamp, no line written through the stage's log pipe is lost,
# and the program goes on writing to current after the rotation.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf LOG_MAX=4096 LOG_KEEP=2
tp_start
dir=$STATE/log/collector
archives() { find "$dir" -name '@*.s' | wc -l; }
# filler ROUND: 60 lines (4.3 kB, stamped) into the collector's log pipe, as if it were chatty
filler() {
	i=0
	while [ $i -lt 60 ]; do echo "$1 round: filler line $i of a chatty program"; i=$((i + 1)); done \
	    >"$STATE/run/collector.log"
}
filler first
wait_for 20 sh -c "[ \$(find '$dir' -name '@*.s' | wc -l) -ge 1 ]" ||
    fail "$dir not rotated at $(wc -c <"$dir/current") bytes"
logged() { wait_for 20 sh -c "cat '$dir'/@*.s '$dir/current' | grep -q '$1'"; }
logged "first round: filler line 59" ||
    fail "the last filler line is in no log file"
[ "$(wc -c <"$dir/current")" -le 4096 ] || fail "$dir/current still $(wc -c <"$dir/current") bytes"
# the collector still writes to its log after the rotation
kill -USR1 "$(stage_pids collector)"
logged "collector: counters:" || fail "nothing written to $dir after the rotation"
filler second
filler third
logged "third round: filler line 59" || fail "third round not logged"
assert_eq "archives kept (LOG_KEEP)" 2 "$(archives)"
# nothing lost of what the kept files span, and every line stamped
cat "$dir"/@*.s "$dir/current" >"$T/all"
grep -v '^@4[0-9a-f]\{23\} ' "$T/all" | head -n 3 | grep . && fail "lines without a TAI64N stamp"
# (the oldest kept archive may begin inside the second round, when the
# program's own lines pushed it on: then the second round's lines kept are
# exactly those from that archive's first line on)
assert_eq "third round lines" 60 "$(grep -c "third round: filler" "$T/all")"
first=$(sed -n 's/.*second round: filler line \([0-9]*\) .*/\1/p' "$T/all" | head -n 1)
[ -n "$first" ] || fail "no second round line kept"
if [ "$first" -gt 0 ]; then
	sed -n '1s/^@[0-9a-f]* //p' "$T/all" | grep -q "second round: filler line $first " ||
	    fail "second round lines from $first on, but the oldest kept file starts elsewhere"
fi
assert_eq "second round lines from $first" $((60 - first)) \
    "$(grep -c "second round: filler" "$T/all")"
s6-tai64nlocal <"$T/all" | head -n 1 | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ ' ||
    fail "s6-tai64nlocal does not read the stamps"
note "$(archives) archives, $(wc -l <"$T/all") lines kept, none lost"
