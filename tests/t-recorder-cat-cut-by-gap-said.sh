#!/bin/sh
# t-recorder-cat-cut-by-gap-said: a book message a gap in the history
# cuts (its START recorded, then the recorder lapped: the rest of it
# lost) is dropped, and `recorder cat -v` says so, "book message at seq
# N: cut by a gap: dropped", as shmreader -v says one; without -v it is
# not said, as shmreader does not, since the gap line shows it
# (recorder(1)).  It was counted in partial, said by nothing, not even
# -v.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist
ts=1796220000000000000	# 2026-12-02T14:00Z
# trade_recs FIRST LAST: ringtool lines of trades at ts + FIRST .. LAST
trade_recs() {
	_tr=$1
	while [ "$_tr" -le "$2" ]; do
		echo "type=1 venue=1 symbol=BTC-USD ts=$((ts + _tr)) recv=$((ts + _tr)) price=$((100 + _tr)) qty=1 side=1 tid=t$_tr"
		_tr=$((_tr + 1))
	done
}
{
	trade_recs 0 0
	echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=100:0:1:0 flags=1"
} | "$BIN/tests/ringtool" put "$RING" --capacity 16 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
rec_start rec --flush 20
rec_block_until rec 2	# the START written

# while it is stopped, the ring of 16 wraps: the message's rest, had it
# come, is lost; the restarted recorder records a gap from seq 3
trade_recs 2 41 | "$BIN/tests/ringtool" put "$RING" --capacity 16 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
rec_start rec2 --flush 20
rec_until rec2 42
grep -q "lost [0-9]* records from seq 3 (recorded as a gap)" "$T/rec2.err" ||
    fail "no gap recorded from seq 3: $(cat "$T/rec2.err")"

"$BIN/recorder" cat -v "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status with -v" 0 "$?"
assert_eq "said with -v" \
    "recorder: book message at seq 2: cut by a gap: dropped" \
    "$(grep 'book message' "$T/err")"
grep -q "partial 1 " "$T/err" || fail "recorder cat -v: $(cat "$T/err")"
grep -q '^{"type":"gap","from":3,' "$T/got" ||
    fail "no gap line from seq 3: $(cat "$T/got")"

"$BIN/recorder" cat "$H" >"$T/got" 2>"$T/err"
assert_eq "exit status" 0 "$?"
assert_eq "lines printed (the trades and the gap)" 18 "$(wc -l <"$T/got")"
assert_eq "stderr without -v" "" "$(cat "$T/err")"
exit 0
