#!/bin/sh
# t-shmreader-malformed-records: records forged into a ring (ringtool put
# writes them byte for byte) that do not make a line collector jsonl
# reads, or a whole book message, are not printed: shmreader names each
# on standard error with its reason and counts it (skipped: malformed;
# partial: an unfinished book message).  Everything it does print,
# oddities included (an unknown side code, a tid that is not UTF-8,
# control characters, positive exponents, a zero with an exponent), goes
# through `collector jsonl --strict` into a second ring and prints back
# the same, apart from the ring sequences.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
TOOL=$BIN/tests/ringtool
A=$RING.a
B=$RING.b
G='venue=1 symbol=BTC-USD ts=1000 recv=2000 vseq=9'
TR="type=1 $G price=10050 pexp=-2 qty=1 qexp=0 side=1"
BK="type=2 $G nbids=1 level=100:0:1:0"
long=$(printf '%0128d' 0)

# each bad record with the seq shmreader must name; good ones between
cat >"$T/in" <<EOF2
type=3 venue=1 ts=1 recv=2 code=1 reason=hello
$TR tid=good1
type=1 venue=1 ts=1000 recv=2000 price=1 qty=1 tid=nosym
$TR pexp=-70 tid=exp
$TR qty=-1 tid=negqty
$TR venue=99 tid=venue99
type=77 $G
type=3 venue=1 ts=1 recv=2 code=0
type=3 venue=1 ts=1 recv=2 code=42
$TR symbol=btc-usd tid=lower
$TR symbol=BTC-\\xff tid=notascii
$TR ts=-5 tid=negts
$TR vseq=0x8000000000000000 tid=bigvseq
$TR tid=$(printf '%048d' 0)
type=3 venue=1 ts=1 recv=2 code=6 reason=$long
$BK flags=1
$BK flags=3
$BK flags=1
$TR tid=good2
$BK flags=0
$BK flags=2
type=2 $G flags=3 nbids=8 nasks=5
$BK flags=1
$BK flags=2 symbol=ETH-USD
type=2 $G flags=3 nbids=1 level=1:-2:5:99
$TR side=7 tid=a\\xffb\\x01c\\x22\\x5c price=1 pexp=19 qty=0 qexp=30
$TR price=-9223372036854775808 pexp=60 qty=1000000000000000000 qexp=1 tid=big
type=2 $G flags=7 nbids=2 nasks=1 level=100:0:0:-4 level=99:0:1:0 level=101:0:2:-1
$BK flags=1
EOF2
{
	# 1030 records of one message: dropped at the 1025th
	echo "$BK flags=1"
	i=0
	while [ $i -lt 1028 ]; do echo "$BK flags=0"; i=$((i + 1)); done
	echo "$BK flags=2"
	echo "$TR tid=good3"
	# unfinished at the end of the ring
	echo "$BK flags=1"
	echo "$BK flags=0"
} >"$T/in2"
# the first file ends on a START; the second file's first record, another
# START, drops it
cat "$T/in" "$T/in2" | "$TOOL" put "$A" --capacity 2048 >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
read -r _ _ _ total <"$T/put"

"$BIN/shmreader" --ring "$A" --no-follow -v >"$T/a.jsonl" 2>"$T/err" ||
    fail "shmreader: $(cat "$T/err")"
while IFS= read -r want; do
	grep -qF "shmreader: $want" "$T/err" ||
	    fail "no \"$want\" on stderr: $(grep -v counters "$T/err" | head -n 40)"
done <<'EOF2'
seq 3: trade without a symbol: skipped
seq 4: price exponent -70 outside -60 to 60: skipped
seq 5: qty is negative: skipped
seq 6: venue id 99 unknown: skipped
seq 7: record type 77 unknown: skipped
seq 8: status code 0 unknown: skipped
seq 9: status code 42 unknown: skipped
seq 10: symbol "btc-usd" not BASE-QUOTE: skipped
seq 11: symbol "BTC-?" not BASE-QUOTE: skipped
seq 12: ts -5 negative: skipped
seq 13: vseq 9223372036854775808 above 2^63 - 1: skipped
seq 14: tid has no NUL in its 48 bytes: skipped
seq 15: reason has no NUL in its 128 bytes: skipped
book message at seq 16: no LAST before the book START record at seq 17: dropped
book message at seq 18: no LAST before the trade record at seq 19: dropped
seq 20: book record without START that continues no message: dropped
seq 22: nbids 8 + nasks 5 is more than 10 levels: skipped
seq 24: record of type 2, sim "ETH-USD" inside a book message of sim "BTC-USD" from seq 23: skipped
seq 25: level 0 qty exponent 99 outside -60 to 60: skipped
book message at seq 29: no LAST before the book START record at seq 30: dropped
book message from seq 30: more than 1024 records: skipped
EOF2
grep -q "book message at seq $((total - 1))..$total: no LAST when shmreader stopped: dropped" "$T/err" ||
    fail "the message unfinished at the end is not reported: $(tail -n 3 "$T/err")"
said=$(grep -c ': skipped$' "$T/err")
assert_eq "skipped lines" 17 "$said"
assert_eq "dropped lines" 5 "$(grep -c ': dropped$' "$T/err")"
grep -q "counters: msgs 8 records $total lost 0 gaps 0 partial 5 skipped 17 " "$T/err" ||
    fail "counters: $(grep counters "$T/err")"
assert_eq "lines printed" 8 "$(wc -l <"$T/a.jsonl" | tr -d ' ')"
grep -qF '"price":"10000000000000000000","qty":"0","side":"unknown","tid":"a?b\u0001c\"\\"' "$T/a.jsonl" ||
    fail "the oddities print otherwise: $(grep 'a?b' "$T/a.jsonl")"
grep -qF '"price":"-9223372036854775808000000000000000000000000000000000000000000000000000000000000","qty":"10000000000000000000"' "$T/a.jsonl" ||
    fail "the widest decimals print otherwise: $(grep '"tid":"big"' "$T/a.jsonl")"

# everything printed reads back, and prints the same
"$BIN/collector" --ring "$B" jsonl --strict <"$T/a.jsonl" 2>"$T/cerr" ||
    fail "collector jsonl refused shmreader's output: $(cat "$T/cerr")"
[ ! -s "$T/cerr" ] || fail "collector jsonl said: $(cat "$T/cerr")"
"$BIN/shmreader" --ring "$B" --no-follow >"$T/b.jsonl" 2>"$T/err2" ||
    fail "shmreader B: $(cat "$T/err2")"
[ ! -s "$T/err2" ] || fail "shmreader B said: $(cat "$T/err2")"
sed 's/,"seq":[0-9]*,/,/' "$T/a.jsonl" >"$T/a.noseq"
sed 's/,"seq":[0-9]*,/,/' "$T/b.jsonl" >"$T/b.noseq"
cmp -s "$T/a.noseq" "$T/b.noseq" ||
    fail "the copy differs: $(diff "$T/a.noseq" "$T/b.noseq" | head -n 4)"
note "$total records: 8 messages printed, 17 skipped, 5 dropped unfinished"
exit 0
