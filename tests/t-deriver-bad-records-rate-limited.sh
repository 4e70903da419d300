#!/bin/sh
# t-deriver-bad-records-rate-limited: the deriver says a skipped record
# (or a dropped message) at most 20 times a second, as collector and
# redispub do (deriver(1)); how many it did not say is told in one line,
# "N more skipped or dropped input records not reported (at most 20 a
# second)", at exit and, while it runs, once the second is over, and
# the counters count every record.  Before: 3000 forged bad records made
# 3000 lines of "skipped".
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
B=$RING.b

# bad N: N malformed trades (an exponent of 99) for ringtool put
bad() {
	/usr/bin/python3 -c 'import sys
for i in range(int(sys.argv[1])):
	print("type=1 venue=1 symbol=BTC-USD ts=%d recv=%d price=1 pexp=99 qty=1 side=1 tid=a" % ((i + 1) * 1000000, (i + 1) * 1000000))' "$1"
}
bad 3000 | "$BIN/tests/ringtool" put "$A" --capacity 4096 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"

"$BIN/deriver" -v --ring "$A" --out "$D" --no-follow 2>"$T/err" ||
    fail "deriver: $(tail -n 3 "$T/err")"
said=$(grep -c 'skipped$' "$T/err")
note "$said of 3000 said, $(wc -c <"$T/err") bytes on stderr"
# 20 a second; 60, should this run take 3 s
[ "$said" -ge 20 ] && [ "$said" -le 60 ] ||
    fail "$said lines of skipped records: $(sed -n '1p;$p' "$T/err")"
grep -q 'more skipped or dropped input records not reported (at most 20 a second)$' \
    "$T/err" || fail "no summary: $(tail -n 3 "$T/err")"
held=$(awk '/^deriver: [0-9]+ more skipped or dropped / { n += $2 }
    END { print n + 0 }' "$T/err")
assert_eq "said and not said" 3000 "$((said + held))"
grep -q '^deriver: counters: records 3000 .* skipped 3000 ' "$T/err" ||
    fail "counters: $(grep counters "$T/err")"
# the summary comes before the counters
tail -n 1 "$T/err" | grep -q counters ||
    fail "the last line: $(tail -n 1 "$T/err")"

# following: the summary of a burst is said once its second is over,
# while the deriver waits for more
bad 100 | "$BIN/tests/ringtool" put "$B" --capacity 128 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/deriver" --ring "$B" --out "$D" 2>"$T/f.err" &
d=$!
track $d
wait_for 5 grep -q '^deriver: 80 more skipped or dropped input records not reported (at most 20 a second)$' \
    "$T/f.err" || fail "following: no summary within 5 s: $(tail -n 2 "$T/f.err")"
assert_eq "following: lines said" 20 "$(grep -c 'skipped$' "$T/f.err")"
kill -0 $d 2>/dev/null || fail "following: the deriver ended"
kill $d
wait_pid 5 $d deriver
assert_eq "following: exit status" 0 "$?"
exit 0
