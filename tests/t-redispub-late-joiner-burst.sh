#!/bin/sh
# t-redispub-late-joiner-burst: at full speed redispub sends the deltas of
# a book channel batched into one APPEND per channel, ahead of their
# PUBLISHes.  Late joiners arriving mid-stream by the documented
# procedure (SUBSCRIBE, then MULTI; GET C.snapshot; GET C.deltas;
# EXEC, then live messages with a higher seq) still end with the exact
# book: three rounds of one joiner that follows the stream to its end,
# and of probes, one after another while the stream runs, that check
# they applied every message of the channel after their snapshot (none
# missed: a missed delta can be hidden from the final book by later
# ones).  Also checks that APPENDs were in fact grouped (far fewer APPEND
# calls than deltas) and that the keys alone rebuild the book at the end.
# A snapshot every 30000 messages of a symbol: some 15000 deltas between
# two, under redispub's default --max-deltas (20000), so the keys stay.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
N=400000
# slow joiners must not be disconnected by Redis' output buffer limit
start_redis --client-output-buffer-limit "pubsub 0 0 0"
"$GEN" --count "$N" --symbols 2 --snapshot-every 30000 --levels 8 >"$T/in"
for s in S00-USD S01-USD; do
	book book "md.sim.$s.book" <"$T/in" >"$T/want.$s"
	[ -s "$T/want.$s" ] || fail "empty expected book for $s"
done
ndeltas=$(grep -c '"type":"book_delta"' "$T/in")

has_snapshot() { [ "$(rcli exists "$1.snapshot")" = 1 ]; }

for s in S00-USD S01-USD; do
	book seqs "md.sim.$s.book" <"$T/in" >"$T/seqs.$s"
done

for round in 1 2 3; do
	rcli flushall >/dev/null
	rcli config resetstat >/dev/null
	"$RP" -u "$REDIS_URL" <"$T/in" >/dev/null 2>"$T/err" &
	rp=$!
	track $rp
	wait_for 30 has_snapshot md.sim.S01-USD.book || fail "round $round: no snapshot in Redis"
	js=S0$(( round % 2 ))-USD
	book joiner "$REDIS_PORT" "md.sim.$js.book" 3 >"$T/got" 2>"$T/jerr" &
	joiner=$!
	track $joiner
	# probes, one after the other, while redispub runs
	probes=0 mid=0
	while kill -0 $rp 2>/dev/null && [ $probes -lt 30 ]; do
		s=S0$(( probes % 2 ))-USD
		book probe "$REDIS_PORT" "md.sim.$s.book" "$T/seqs.$s" 200 2 \
		    >"$T/probe" 2>&1 || { cat "$T/probe" >&2; fail "round $round: probe $probes on $s"; }
		probes=$((probes + 1))
		grep -q ', 200 live' "$T/probe" && mid=$((mid + 1))
	done
	wait $rp
	assert_eq "round $round: redispub exit status" 0 $?
	[ "$mid" -ge 1 ] || fail "round $round: no probe came mid-stream"
	wait "$joiner" || { cat "$T/jerr" >&2; fail "round $round: joiner failed"; }
	cmp -s "$T/want.$js" "$T/got" || {
		cat "$T/jerr" >&2
		diff "$T/want.$js" "$T/got" | head
		fail "round $round: the joiner's book of $js differs"
	}
	grep -q 'applied [1-9][0-9]* live' "$T/jerr" || fail "round $round: the joiner came after the stream"
	calls=$(rcli info commandstats | sed -n 's/^cmdstat_append:calls=\([0-9]*\),.*/\1/p' | tr -d '\r')
	if [ "${calls:-0}" -eq 0 ] || [ $(( calls * 4 )) -ge "$ndeltas" ]; then
		fail "round $round: ${calls:-0} APPEND calls for $ndeltas deltas: not grouped"
	fi
	for s in S00-USD S01-USD; do
		c=md.sim.$s.book
		{ rcli get "$c.snapshot"; rdeltas "$c.deltas"; } | book rebuild >"$T/fromkeys"
		cmp -s "$T/want.$s" "$T/fromkeys" || fail "round $round: book of $s rebuilt from the keys differs"
	done
	note "round $round: joiner exact; $probes probes ($mid mid-stream) missed nothing; $calls APPEND calls for $ndeltas deltas"
done
