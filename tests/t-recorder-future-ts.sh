#!/bin/sh
# t-recorder-future-ts: a record whose ts lies far ahead of the clock (a
# venue's bad ts, here 2100-01-01) is recorded as it is, but filed under
# the recorder's clock: since a file is never of a period before the one
# written last, a file named after 2100 would have taken every record
# after it, and after a restart too (recorder(1)).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

# trade PRICE TS: a trade line received at TS
trade() {
	trade_line "$1" "$2" "$2"
}
far=4102444800000000000	# 2100-01-01T00:00Z
# the ring holds 64 records, so that it can lap a stopped recorder
"$BIN/collector" --ring "$RING" --capacity 64 sim --count 1 --rate max \
    2>"$T/err" || fail "collector sim: $(cat "$T/err")"
base=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
now=$(($(date +%s) * 1000000000))
{ trade 1 "$now"; trade 2 "$far"; trade 3 $((now + 1000000000)); } >"$T/lines"
record_lines $((base + 3))
trade 4 $((now + 2000000000)) >"$T/lines"
record_lines $((base + 4))

# a gap after a far ts: stopped, the recorder is lapped
"$BIN/recorder" --ring "$RING" --flush 20 "$H" 2>>"$T/rec.err" &
rp=$!
track "$rp"
trade 5 "$far" | "$BIN/collector" --ring "$RING" jsonl --strict 2>"$T/err" ||
    fail "collector jsonl: $(cat "$T/err")"
wait_for 10 recorded_up_to "$H" $((base + 5)) || fail "trade 5 not recorded"
kill -STOP "$rp"
i=6
while [ $i -le 105 ]; do
	trade $i $((now + i * 1000000000))
	i=$((i + 1))
done | "$BIN/collector" --ring "$RING" jsonl --strict 2>"$T/err" ||
    fail "collector jsonl: $(cat "$T/err")"
kill -CONT "$rp"
wait_for 10 recorded_up_to "$H" $((base + 105)) || fail "not recorded to 105"
kill -TERM "$rp"
wait "$rp" || fail "recorder exited $?: $(cat "$T/rec.err")"
"$BIN/recorder" cat --to $((now + 200000000000)) "$H" >"$T/to" 2>"$T/err" ||
    fail "cat --to: $(cat "$T/err")"
grep -q '"type":"gap"' "$T/to" ||
    fail "the gap after a far ts is not before now: $(grep -c . "$T/to") lines"

ls "$H"/*/*.tph >"$T/files"
note "files: $(tr '\n' ' ' <"$T/files")"
if grep -q 2100 "$T/files"; then
	fail "a file of 2100: $(tr '\n' ' ' <"$T/files")"
fi
"$BIN/recorder" cat "$H" >"$T/all" 2>"$T/err" || fail "cat: $(cat "$T/err")"
assert_eq "the first prices in order, once each" "1 2 3 4 5" \
    "$(grep '"trade"' "$T/all" | head -n 5 | sed 's/.*"price":"\([0-9]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')"
assert_eq "the far ts kept" 2 "$(grep -c "\"ts\":$far," "$T/all")"
exit 0
