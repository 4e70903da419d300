#!/bin/sh
# t-jsonl-types-listed: every "type" that shmreader prints, of the
# simulator's records and of the deriver's, is one that the "type" entry
# of tickpipe-json(5)'s Common keys lists, and every line's keys but
# "type" start "venue", "symbol" (but in a status of a whole venue),
# "seq", then "vseq" or, in a derived line, "src_seq", as it says.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
PAGE=$TOP/man/tickpipe-json.5
"$BIN/collector" --ring "$RING" sim --venues sim,sim2 --count 3000 \
    --rate 100000 2>"$T/err" || fail "collector sim: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING" --out "$RING.d" --no-follow --top 5:1 \
    --bar 1ms 2>"$T/err" || fail "deriver: $(cat "$T/err")"
{
	"$BIN/shmreader" --ring "$RING" --no-follow &&
	"$BIN/shmreader" --ring "$RING.d" --no-follow
} >"$T/out" 2>"$T/err" || fail "shmreader: $(cat "$T/err")"
# the .Qq words of the "type" entry, up to its "required."
sed -n '/^\.It Qq type$/,/^required\.$/s/^\.Qq \([a-z_]*\).*/\1/p' "$PAGE" |
    sort >"$T/listed"
[ -s "$T/listed" ] || fail "no \"type\" entry in $PAGE"
sed 's/^{"type":"\([^"]*\)".*/\1/' "$T/out" | sort -u >"$T/printed"
for t in trade book_snapshot book_delta status quote book_top bar xbest; do
	grep -qx "$t" "$T/printed" || fail "no $t in the sample"
done
missing=$(comm -23 "$T/printed" "$T/listed" | tr '\n' ' ')
[ -z "$missing" ] || fail "printed, not listed as a \"type\": $missing"
# the common keys, in order
bad=$(grep -cv '^{"type":"[a-z_]*","venue":"[a-z0-9]*",\("symbol":"[A-Z0-9-]*",\)\{0,1\}"seq":[0-9]*,"\(vseq\|src_seq\)":[0-9]*,"ts":[0-9]*,"recv":[0-9]*,' "$T/out")
assert_eq "lines without the common keys in order" 0 "$bad"
H='"venue":"[a-z0-9]*",\("symbol":"[A-Z0-9-]*",\)\{0,1\}"seq":[0-9]*,'
grep -q '^{"type":"\(trade\|book_snapshot\|book_delta\|status\)",'"$H"'"src_seq"' \
    "$T/out" && fail "a venue's line with src_seq"
grep -q '^{"type":"\(quote\|book_top\|bar\|xbest\)",'"$H"'"vseq"' "$T/out" &&
    fail "a derived line with vseq"
exit 0
