#!/bin/sh
# t-deriver-sigpipe-ignored: standard error, or the -d descriptor, being
# a pipe whose reader is gone does not stop the deriver (deriver(1),
# EXIT STATUS): SIGPIPE is ignored, as by collector, recorder, redispub,
# shmreader and wsgate; what it says there is lost, what it derives is
# not.  Before: the warning of a skipped record, or the newline of -d,
# killed it with SIGPIPE (-13 as Python reports it) and the derived
# records not yet published were lost: the output ring held none.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
A=$RING.a
D=$RING.d
# shellcheck disable=SC1091
. "$TESTS/deriver/dv.sh"

# a malformed trade (an exponent of 99, skipped with a warning), a book
# and a trade: a quote, a book_top and an xbest
{
	echo 'type=1 venue=1 symbol=BTC-USD ts=1000000000 recv=1000000000 price=1 pexp=99 qty=1 side=1 tid=a'
	echo 'type=2 flags=7 venue=1 symbol=BTC-USD ts=1000000000 recv=1000000000 nbids=1 nasks=1 level=100:0:1:0 level=101:0:1:0'
	echo 'type=1 venue=1 symbol=BTC-USD ts=2000000000 recv=2000000000 price=100 qty=1 side=1 tid=b'
} | "$BIN/tests/ringtool" put "$A" --capacity 64 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"

"$BIN/deriver" --ring "$A" --out "$D" --no-follow 2>"$T/err" ||
    fail "deriver: $(cat "$T/err")"
grep -q 'skipped$' "$T/err" || fail "no warning to lose: $(cat "$T/err")"
derived >"$T/want"
[ "$(wc -l <"$T/want")" -ge 3 ] || fail "derived: $(cat "$T/want")"
rm -f "/dev/shm/tickpipe.$D"

# closed WHERE: the deriver with WHERE (stderr or -d) a pipe whose read
# end is closed; prints its exit status as Python gives it (-13: killed
# by SIGPIPE)
closed() {
	timeout 20 /usr/bin/python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
argv = sys.argv[2:]
if sys.argv[1] == "stderr":
	p = subprocess.run(argv, stderr=w)
else:
	p = subprocess.run(argv + ["-d", str(w)], pass_fds=(w,))
print(p.returncode)' "$1" "$BIN/deriver" --ring "$A" --out "$D" --no-follow
}

for where in stderr -d; do
	rc=$(closed "$where" 2>"$T/py.err") ||
	    fail "$where: python: $(cat "$T/py.err")"
	assert_eq "deriver, $where a closed pipe: exit status" 0 "$rc"
	derived >"$T/got"
	cmp "$T/want" "$T/got" >/dev/null ||
	    fail "$where a closed pipe: derived $(wc -l <"$T/got") lines, not $(wc -l <"$T/want"): $(head -n 3 "$T/got")"
	rm -f "/dev/shm/tickpipe.$D"
done
exit 0
