#!/bin/sh
# t-shmreader-options: on a ring of known messages, shmreader's --from
# (oldest, latest, a sequence, the middle of a book message), --count,
# --no-follow, the --venue/--symbol/--type filters (alone, combined and
# with --count), --format table and raw, --stat, --layout and --unlink
# (of a ring, and not of a file that is none) each do what shmreader(1) says; bad option values are usage errors (64).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
S=shmreader

lv() {	# lv FROM N STEP: N levels ["price","qty"] from FROM cents
	awk -v f="$1" -v n="$2" -v s="$3" 'BEGIN { for (i = 0; i < n; i++)
	    printf "%s[\"%.2f\",\"1.5\"]", i ? "," : "", (f + i * s) / 100 }'
}
H='"vseq":7,"ts":1700000000000000000,"recv":1700000000000000100'
cat >"$IN" <<EOF2
{"type":"status","venue":"sim","seq":1,$H,"status":"connected","reason":"hello"}
{"type":"trade","venue":"sim","symbol":"BTC-USD","seq":1,$H,"price":"100.50","qty":"0.0010","side":"buy","tid":"1"}
{"type":"book_snapshot","venue":"sim","symbol":"ETH-USD","seq":1,$H,"bids":[$(lv 349999 13 -1)],"asks":[$(lv 350001 12 1)]}
{"type":"trade","venue":"coinbase","symbol":"BTC-USD","seq":1,$H,"price":"100.51","qty":"2","side":"sell","tid":"2"}
{"type":"book_delta","venue":"sim","symbol":"BTC-USD","seq":1,$H,"bids":[["100.49","0"]],"asks":[]}
{"type":"trade","venue":"sim","symbol":"ETH-USD","seq":1,$H,"price":"3500.00","qty":"0.00001230","side":"buy","tid":"3"}
{"type":"status","venue":"coinbase","symbol":"BTC-USD","seq":1,$H,"status":"resync","reason":"sequence gap 5 -> 7"}
{"type":"book_snapshot","venue":"kraken","symbol":"SOL-USD","seq":1,$H,"bids":[$(lv 14999 15 -1)],"asks":[$(lv 15001 15 1)]}
{"type":"trade","venue":"kraken","symbol":"SOL-USD","seq":1,$H,"price":"150","qty":"1e-3","side":"unknown","tid":"4"}
EOF2
# ring sequences: 1, 2, 3-5 (25 levels), 6, 7, 8, 9, 10-12 (30 levels), 13
"$BIN/collector" --ring "$RING" --capacity 1024 jsonl --strict "$IN" \
    2>"$T/err" || fail "collector: $(cat "$T/err")"

# seqs WHAT WANT ARGS...: the ring sequences shmreader --no-follow ARGS
# prints are WANT (space-separated); run in this shell, not in $(...),
# so that a shmreader that fails fails the test even where WANT is ""
seqs() {
	_what=$1 _want=$2
	shift 2
	"$BIN/$S" --ring "$RING" --no-follow "$@" >"$T/out" 2>"$T/err" ||
	    fail "$_what: shmreader $*: exit $?: $(cat "$T/err")"
	assert_eq "$_what" "$_want" \
	    "$(sed 's/.*"seq":\([0-9]*\),.*/\1/' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
}
seqs "everything" "1 2 3 6 7 8 9 10 13"
# the same text, but the ring's sequences and "1e-3" printed plainly
sed 's/"qty":"1e-3"/"qty":"0.001"/' "$IN" >"$T/want"
sed 's/"seq":[0-9]*,/"seq":1,/' "$T/out" | cmp -s - "$T/want" ||
    fail "printed JSONL differs from the input"
seqs "--from oldest" "1 2 3 6 7 8 9 10 13" --from oldest
seqs "--from 6" "6 7 8 9 10 13" --from 6
seqs "--from 4 (inside a book message)" "6 7 8 9 10 13" --from 4
seqs "--from 13" "13" --from 13
seqs "--from 14" "" --from 14
seqs "--from latest" "" --from latest
seqs "--count 3" "1 2 3" --count 3
seqs "--from 7 --count 2" "7 8" --from 7 --count 2
seqs "--venue coinbase" "6 9" --venue coinbase
seqs "--venue kraken" "10 13" --venue kraken
seqs "--symbol ETH-USD" "3 8" --symbol ETH-USD
seqs "--type trade" "2 6 8 13" --type trade
seqs "--type book" "3 7 10" --type book
seqs "--type book_snapshot" "3 10" --type book_snapshot
seqs "--type book_delta" "7" --type book_delta
seqs "--type status" "1 9" --type status
seqs "--venue sim --type trade" "2 8" --venue sim --type trade
seqs "--venue sim --symbol BTC-USD" "2 7" --venue sim --symbol BTC-USD
seqs "--type trade --count 2" "2 6" --type trade --count 2
seqs "--type book_snapshot --count 2" "3 10" --type book_snapshot --count 2

# --count ends a following reader too, once n messages are printed
"$BIN/$S" --ring "$RING" --type book_snapshot --count 1 >"$T/out" 2>&1 &
p=$!
track $p
wait_for 10 sh -c "! kill -0 $p" ||
    fail "--type book_snapshot --count 1 did not exit after a multi-record snapshot"
assert_eq "--count 1 in follow mode" 1 "$(wc -l <"$T/out" | tr -d ' ')"

# --format raw: capture header + the records as they are
"$BIN/$S" --ring "$RING" --no-follow --format raw >"$T/raw" ||
    fail "--format raw"
assert_eq "raw size" $((64 + 13 * 256)) "$(wc -c <"$T/raw" | tr -d ' ')"
assert_eq "raw magic" TPCAP001 "$(head -c 8 "$T/raw")"
"$BIN/$S" --ring "$RING" --no-follow --format raw --type trade >"$T/raw" ||
    fail "--format raw --type trade"
assert_eq "raw size, trades" $((64 + 4 * 256)) "$(wc -c <"$T/raw" | tr -d ' ')"

# --format table: one aligned line per message, for people
"$BIN/$S" --ring "$RING" --no-follow --format table >"$T/table" ||
    fail "--format table"
note "table:
$(cat "$T/table")"
n=$(grep -c . "$T/table")
if [ "$n" -lt 9 ] || [ "$n" -gt 10 ]; then
	fail "table: $n lines for 9 messages"
fi
! grep -q '^{' "$T/table" || fail "table prints JSON"
for w in coinbase kraken SOL-USD 100.50 0.00001230 resync "sequence gap 5 -> 7"; do
	grep -qF -- "$w" "$T/table" || fail "table lacks '$w'"
done

# --stat, --layout
"$BIN/$S" --ring "$RING" --stat >"$T/stat" || fail "--stat"
for f in "capacity: 1024" "seq: 13" "epoch: 1" "oldest: 1" "record_size: 256"; do
	grep -qxF "$f" "$T/stat" || fail "--stat lacks '$f': $(cat "$T/stat")"
done
"$BIN/$S" --layout >"$T/layout" || fail "--layout"
grep -q "^record size 256 bytes, layout hash 0x" "$T/layout" ||
    fail "--layout: $(head -n 1 "$T/layout")"
grep -Eq "^book.nasks +245 +1 " "$T/layout" || fail "--layout lacks book.nasks"

# bad values
for a in "--format xml" "--from soon" "--from -1" "--count 0" \
    "--count x" "--venue nasdaq" "--symbol btc" "--type quotes" "--bogus" \
    "-d 99" "--stat --layout"; do
	# shellcheck disable=SC2086
	"$BIN/$S" --ring "$RING" --no-follow $a >/dev/null 2>"$T/err"
	assert_eq "shmreader $a: exit status" 64 "$?"
	[ -s "$T/err" ] || fail "shmreader $a: no message"
done
# a filter given twice is refused (the second replaced the first)
for f in "--venue sim --venue kraken" "--type trade --type bar" \
    "--symbol BTC-USD --symbol ETH-USD"; do
	# shellcheck disable=SC2086
	"$BIN/$S" --ring "$RING" --no-follow $f >/dev/null 2>"$T/err"
	assert_eq "$f: exit status" 64 "$?"
	grep -q "given twice" "$T/err" || fail "$f: $(cat "$T/err")"
done
"$BIN/$S" -h >"$T/h" 2>&1 || fail "-h exit $?"
grep -q "^usage: shmreader" "$T/h" || fail "-h: $(cat "$T/h")"

# --unlink; then the ring is gone
"$BIN/$S" --ring "$RING" --unlink || fail "--unlink"
"$BIN/$S" --ring "$RING" --no-follow >/dev/null 2>"$T/err"
assert_eq "gone: exit status" 69 "$?"
grep -q "does not exist" "$T/err" || fail "gone: $(cat "$T/err")"
"$BIN/$S" --ring "$RING" --unlink 2>/dev/null
assert_eq "--unlink twice" 69 "$?"

# --unlink of a path removes a ring there, and nothing else: a file that
# is no ring, or a directory, stays (exit 78)
"$BIN/collector" --ring "$T/ring" --capacity 16 sim --count 3 2>/dev/null ||
    fail "collector on a path"
"$BIN/$S" --ring "$T/ring" --unlink || fail "--unlink of a ring's path"
[ -e "$T/ring" ] && fail "--unlink of a ring's path: still there"
printf 'precious\n' >"$T/victim"
mkdir "$T/dir"
for p in "$T/victim" "$T/dir"; do
	"$BIN/$S" --ring "$p" --unlink 2>"$T/err"
	assert_eq "--unlink of $p: exit status" 78 "$?"
	grep -q "not a ring" "$T/err" || fail "--unlink of $p: $(cat "$T/err")"
	[ -e "$p" ] || fail "--unlink removed $p, which is no ring"
done
exit 0
