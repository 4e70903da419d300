#!/bin/sh
# t-jsonl-xbest-checked: an xbest is across venues, so its venue is "all"
# (tickpipe-ring(5): venue always 9), and its "venues" and "excluded"
# lists name each venue once, and not "all"; a trade or book, a venue's
# own, is never of "all" (a status may be: the deriver's).  `collector jsonl` rejects an xbest line of
# another venue, or naming a venue twice in either list, with its reason
# (exit 65 under --strict), rather than writing it (venue sim) or
# folding the repeat away unsaid; shmreader skips an xbest record of
# another venue forged into a ring, as an older collector wrote it.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
IN=$T/in.jsonl
# xb VENUE SEQ VENUES EXCLUDED: an xbest line
xb() {
	printf '{"type":"xbest","venue":"%s","symbol":"BTC-USD","seq":%s,"src_seq":%s,"ts":1,"recv":2,"bid":"100","bid_qty":"1","bid_venue":"sim","ask":null,"ask_qty":null,"ask_venue":null,"state":"normal","venues":%s,"excluded":%s}\n' \
	    "$1" "$2" "$2" "$3" "$4"
}
{
	xb all 1 '["sim","sim2"]' '[]'					# 1 ok
	xb sim 2 '["sim","sim2"]' '[]'					# 2 venue
	xb sim 3 '["sim","sim","sim2"]' '[]'				# 3 venue first
	xb all 4 '["sim","sim","sim2"]' '[]'				# 4 twice
	xb all 5 '["sim"]' '[{"venue":"sim3","why":"stale"},{"venue":"sim3","why":"resync"}]'	# 5 twice
	xb all 6 '["sim"]' '[{"venue":"sim3","why":"stale"}]'		# 6 ok
	xb all 7 '["sim","all"]' '[]'					# 7 all
	xb all 8 '["sim"]' '[{"venue":"all","why":"stale"}]'		# 8 all
	printf '{"type":"trade","venue":"all","symbol":"BTC-USD","seq":9,"vseq":9,"ts":1,"recv":2,"price":"1","qty":"1","side":"buy","tid":"x"}\n'	# 9
	printf '{"type":"book_delta","venue":"all","symbol":"BTC-USD","seq":10,"vseq":10,"ts":1,"recv":2,"bids":[["1","1"]],"asks":[]}\n'	# 10
	printf '{"type":"status","venue":"all","seq":11,"vseq":0,"ts":1,"recv":2,"status":"resync","reason":"deriver: x"}\n'	# 11 ok
} >"$IN"

"$BIN/collector" --ring "$RING" jsonl "$IN" 2>"$T/err"
st=$?
cat "$T/err" >&2
assert_eq "exit status" 0 "$st"
"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/rerr" ||
    fail "shmreader: $(cat "$T/rerr")"
assert_eq "valid xbest lines in the ring, by src_seq" "1 6" \
    "$(sed -n 's/.*"src_seq":\([0-9]*\),.*/\1/p' "$T/out" | tr '\n' ' ' |
    sed 's/ $//')"
grep -v -q '"venue":"all"' "$T/out" && fail "an xbest not of all: $(cat "$T/out")"
grep -q '"type":"\(trade\|book_delta\)"' "$T/out" &&
    fail "a trade or book of all written: $(cat "$T/out")"
grep -q '"type":"status","venue":"all",.*"reason":"deriver: x"' "$T/out" ||
    fail "the status of all (the deriver's) not written: $(cat "$T/out")"

reject() {
	grep -F "collector: $IN:$1: " "$T/err" | grep -qF -- "$2: skipped" ||
	    fail "line $1: no \"$IN:$1: ...$2: skipped\" on stderr"
}
reject 2 "an xbest line's \"venue\" must be \"all\", not \"sim\""
reject 3 "an xbest line's \"venue\" must be \"all\", not \"sim\""
reject 4 '"venues"[1]: "sim" named twice'
reject 5 '"excluded"[1]: "sim3" named twice'
reject 7 '"venues"[1]: not a venue name'
reject 8 '"excluded"[0] must be {"venue":NAME,"why":"resync"|"stale"|"disconnected"}'
reject 9 "a trade line's \"venue\" may not be \"all\", which names records derived across venues"
reject 10 "a book_delta line's \"venue\" may not be \"all\", which names records derived across venues"
grep -qF "$IN: 11 lines, 8 rejected" "$T/err" || fail "no summary line: $(tail -n 1 "$T/err")"

# --strict: the first is fatal, EX_DATAERR
"$BIN/shmreader" --ring "$RING" --unlink 2>/dev/null
"$BIN/collector" --ring "$RING" jsonl --strict "$IN" 2>"$T/err"
assert_eq "--strict exit status" 65 "$?"
grep -qF "$IN:2: an xbest line's \"venue\" must be \"all\"" "$T/err" ||
    fail "--strict: $(cat "$T/err")"

# shmreader: an xbest record of venue sim (1) in a ring is skipped, one
# of all (9) printed; so are one naming all among its venues (bit 9), a
# trade and a book record of all
A=$RING.a
printf '%s\n' 'type=7 venue=1 symbol=BTC-USD ts=1 recv=2' \
    'type=7 venue=9 symbol=BTC-USD ts=1 recv=2' \
    'type=7 venue=9 symbol=BTC-USD ts=1 recv=2 venues=0x200' \
    'type=1 venue=9 symbol=BTC-USD ts=1 recv=2 price=1 qty=1 side=1 tid=x' \
    'type=2 flags=7 venue=9 symbol=BTC-USD ts=1 recv=2 nbids=1 level=1:0:1:0' |
    "$BIN/tests/ringtool" put "$A" >"$T/put" 2>&1 ||
    fail "ringtool put: $(cat "$T/put")"
"$BIN/shmreader" --ring "$A" --no-follow -v >"$T/a.jsonl" 2>"$T/aerr" ||
    fail "shmreader: $(cat "$T/aerr")"
grep -qF "shmreader: seq 1: xbest record of venue sim, not all: skipped" \
    "$T/aerr" || fail "not skipped: $(cat "$T/aerr")"
grep -qF "shmreader: seq 3: xbest record with bad fields: skipped" \
    "$T/aerr" || fail "venues with all not skipped: $(cat "$T/aerr")"
grep -qF "shmreader: seq 4: trade record of venue all, which names records derived across venues: skipped" \
    "$T/aerr" || fail "trade of all not skipped: $(cat "$T/aerr")"
grep -qF "shmreader: seq 5: book record of venue all," \
    "$T/aerr" || fail "book of all not skipped: $(cat "$T/aerr")"
assert_eq "xbest records printed" 1 "$(wc -l <"$T/a.jsonl" | tr -d ' ')"
grep -q '"type":"xbest","venue":"all","symbol":"BTC-USD","seq":2,' \
    "$T/a.jsonl" || fail "the xbest of all: $(cat "$T/a.jsonl")"
"$BIN/shmreader" --ring "$A" --unlink 2>/dev/null
exit 0
