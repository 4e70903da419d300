#!/bin/sh
# t-recorder-period-never-back: a record whose ts lies in a later period
# (a venue clock ahead, here by a month) does not make the files after it
# sort before it: the recorder, restarted twice, never opens a file of a
# period before its newest file's, so `recorder cat` prints every record
# once, in ring order, and a restart records nothing twice (it resumed
# from the newest file by name, which was not the last written).  So
# when --rotate goes from half hours to hours: the half hour 14:30 kept
# after it is named as before (T1430), not T14, which sorts before T1430
# (a restart then resumed from T1430 and recorded its records again,
# and cat read the newer file first).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
H=$T/hist

# trade PRICE TS: a trade line, recv 14:00 plus PRICE seconds
trade() {
	trade_line "$1" "$2" "$((1796220000 + $1))000000000"
}
h=1796220000000000000	# 2026-12-02T14:00Z
{ trade 1 $((h + 1000000000)); trade 2 1798761600000000000
  trade 3 $((h + 2000000000)); trade 4 $((h - 7200000000000))
  trade 5 $((h + 3000000000)); } >"$T/lines"
record_lines 5
{ trade 6 $((h + 4000000000)); trade 7 $((h + 5000000000)); } >"$T/lines"
record_lines 7
trade 8 $((h + 6000000000)) >"$T/lines"
record_lines 8

"$BIN/recorder" cat "$H" >"$T/all" 2>"$T/err" || fail "cat: $(cat "$T/err")"
assert_eq "prices in order, once each" "1 2 3 4 5 6 7 8" \
    "$(sed 's/.*"price":"\([0-9]*\)".*/\1/' "$T/all" | tr '\n' ' ' | sed 's/ $//')"
ls "$H"/*/*.tph >"$T/files"
note "files: $(tr '\n' ' ' <"$T/files")"

H=$T/hist2
"$BIN/shmreader" --ring "$RING" --unlink
m=$((h + 40 * 60000000000))	# 14:40
{ trade 1 "$m"; trade 2 $((m + 60000000000)); } >"$T/lines"
record_lines 2 --rotate 1800
{ trade 3 $((m + 600000000000)); trade 4 $((m + 660000000000)); } >"$T/lines"
record_lines 4 --rotate 3600
trade 5 $((m + 900000000000)) >"$T/lines"
record_lines 5 --rotate 3600
"$BIN/recorder" cat "$H" >"$T/all" 2>"$T/err" || fail "cat, --rotate changed: $(cat "$T/err")"
assert_eq "--rotate changed: prices in order, once each" "1 2 3 4 5" \
    "$(sed 's/.*"price":"\([0-9]*\)".*/\1/' "$T/all" | tr '\n' ' ' | sed 's/ $//')"
exit 0
