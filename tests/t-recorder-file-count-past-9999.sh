#!/bin/sh
# t-recorder-file-count-past-9999: from the 10 000th file of a period on,
# the files' names still sort in the order they were written
# (recorder(1)): .10000 after .9999, though strcmp puts it before .1001.
# Three files of one record each are renamed .9998, .9999 and .10000
# (made so, not by recording 10 000 rotations): `recorder cat` reads
# them in that order and says nothing; a recorder restarted on the ring
# resumes after .10000's record and names its next file .10001: the
# history is then seqs 1 to 6 once each.  Before, cat said the chain was
# broken (65) and the restarted recorder resumed from .9999 and recorded
# seq 3 a second time.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

hour_trades 1 3 >"$T/lines"
record_lines 3 --block 1 --max-size 1
day=$H/2026-12-02
for n in 1:9998 2:9999 3:10000; do
	f=$day/tickpipe-2026-12-02T14.000${n%:*}.tph
	[ -f "$f" ] || fail "no $f: $(ls "$day")"
	mv "$f" "$day/tickpipe-2026-12-02T14.${n#*:}.tph"
	mv "$f.idx" "$day/tickpipe-2026-12-02T14.${n#*:}.tph.idx"
done
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "cat of .9998 to .10000: exit $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "cat of .9998 to .10000 said: $(cat "$T/err")"
assert_eq "seqs of .9998 to .10000" "1 3 3" "$($CAP seqs "$T/all.cap")"

# the ring goes on to seq 6; the restarted recorder takes up at seq 4
hour_trades 4 6 >"$T/lines"
record_lines 6 --block 1 --max-size 1
"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
    fail "cat after the restart: exit $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "cat after the restart said: $(cat "$T/err")"
assert_eq "seqs after the restart (each once)" "1 6 6" \
    "$($CAP seqs "$T/all.cap")"
assert_eq "the files after the restart" \
    "10000 10001 10002 10003 9998 9999" \
    "$(cd "$day" && ls -- *.tph | sed 's/.*T14\.\([0-9]*\)\.tph/\1/' | sort |
    paste -sd ' ' -)"
exit 0
