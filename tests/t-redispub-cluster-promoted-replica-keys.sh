#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A replica promoted after missing writes its primary acknowledged never
# holds stale late-joiner keys (redispub(1) CLUSTER): a book channel's
# {C}.snapshot and {C}.deltas on the new owner rebuild the book of every
# line fed so far, or are absent until the channel's next snapshot; after
# it they rebuild the whole book.  Six redis-server --cluster-enabled yes
# nodes on loopback ports (tests/cluster/cluster.sh, one replica each).
# redispub -u cluster:// reads a fifo fed by the test, 4000 lines/s on
# 64 channels (rp-gen, 32 symbols, a snapshot each first, the next one
# only in part B).  Part A: 1 s of lines; then primary a's replication
# is cut for good (CONFIG SET requirepass, CLIENT KILL TYPE replica: its
# replica cannot sync again), 1 s of lines that a acknowledges and its
# replica never gets, a SIGKILLed, its replica promoted by CLUSTER
# FAILOVER TAKEOVER, the rest of part A.  Once redispub has everything
# of A answered (SIGUSR1 counters: buffered=0), each book channel of a
# is checked on the new owner.  Part B (every symbol's second snapshot,
# more deltas): then every book channel's keys must rebuild its book,
# and redispub exits 0.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
# shellcheck disable=SC2034 # read by cluster_up
CLUSTER_REPLICAS=1
cluster_up

replica_of_a
sim_channels
awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print $1 }' "$T/owners" >"$T/dead"
[ -s "$T/dead" ] || fail "node a serves none of the book channels"
awk '$1 ~ /book$/ { print $1 }' "$T/owners" >"$T/books"
feed_split

fed_redispub "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a,127.0.0.1:$port_c" "$T/rp.err"

feed 1 4000
cut_replica_a
feed 4001 8000
take_over_a
note "a killed at line 8000, $(redis-cli -p "$rep_a" dbsize) keys on its promoted replica $rep_a"
feed 8001 "$nA"

# everything of A answered: no message left in redispub's outbox
# shellcheck disable=SC2317 # called by wait_for
all_of_a() {
	kill -USR1 "$rp_pid"
	sleep 0.2
	grep 'counters:' "$T/rp.err" | tail -n 1 |
	    grep -q "lines=$nA .*buffered=0 "
}
wait_for 20 all_of_a || fail "redispub did not publish part A: $(grep 'counters:' "$T/rp.err" | tail -n 1)"

# seqs: the seq of each line, a line sent twice (at least once) once
seqs() { sed 's/.*"seq":\([0-9]*\).*/\1/' | awk '!seen[$0]++'; }

# keys_check CHANNELS LINES absent-ok|absent-bad: "right absent wrong":
# how many of the book channels listed in CHANNELS have keys holding
# the last snapshot of LINES and every delta after it (so they rebuild
# its book), none (no snapshot), or anything else (stale)
keys_check() {
	# each channel's last snapshot of LINES then the deltas after it
	awk -v d="$T" '/"type":"book_(snapshot|delta)"/ {
		match($0, /"symbol":"[^"]*"/); c = substr($0, RSTART + 10, RLENGTH - 11)
		match($0, /"seq":[0-9]*/); q = substr($0, RSTART + 6, RLENGTH - 6)
		w[c] = /"type":"book_snapshot"/ ? q : w[c] "\n" q }
	    END { for (c in w) print w[c] >(d "/want.md.sim." c ".book") }' "$2"
	_bad=0
	_absent=0
	_good=0
	while read -r _c; do
		_p=$(awk -v c="$_c" '$1 == c { print $3 }' "$T/owners")
		[ "$_p" != "$port_a" ] || _p=$rep_a
		seqs <"$T/want.$_c" >"$T/want"
		if [ -z "$(redis-cli -p "$_p" get "{$_c}.snapshot")" ]; then
			_absent=$((_absent + 1))
			[ "$3" = absent-ok ] && continue
			echo "$_c: no snapshot" >&2
			_bad=$((_bad + 1))
			continue
		fi
		{ redis-cli -p "$_p" get "{$_c}.snapshot"
		  rdeltas "{$_c}.deltas" "$_p"; } |
		    seqs >"$T/got"
		if cmp -s "$T/want" "$T/got"; then
			_good=$((_good + 1))
		else
			echo "$_c: the keys on $_p miss $(sort "$T/got" | comm -23 "$(sort "$T/want" >"$T/want.s"; echo "$T/want.s")" - | wc -l) of $(wc -l <"$T/want") lines" >&2
			_bad=$((_bad + 1))
		fi
	done <"$1"
	echo "$_good $_absent $_bad"
}
head -n "$nA" "$T/all" >"$T/A"
r=$(keys_check "$T/dead" "$T/A" absent-ok)
note "node a's book channels after the failover (right, absent, wrong): $r"
[ "${r##* }" -eq 0 ] || fail "stale keys on the promoted replica"

feed $((nA + 1)) "$(wc -l <"$T/all")"
exec 3>&-
wait_pid 120 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
note "$(grep 'redis cluster:' "$T/rp.err" | tail -n 1)"
grep -q "connection, [1-9][0-9]* channels' keys deleted" "$T/rp.err" ||
    fail "no keys deleted: $(grep 'redis cluster:' "$T/rp.err")"
r=$(keys_check "$T/books" "$T/all" absent-bad)
note "every book channel after the next snapshot (right, absent, wrong): $r"
[ "${r##* }" -eq 0 ] || fail "keys wrong or missing after the next snapshot"
exit 0
