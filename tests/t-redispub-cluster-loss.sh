#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# t-redispub-cluster-loss: on a 3-node Redis Cluster a loss announced in
# the stream ends the late-joiner keys of the books it touches at once,
# each on its own node, and is published again on each of those book
# channels (redispub(1) "CLUSTER", tickpipe(7)), as on one Redis.  Two
# book channels whose slots two different nodes serve have their keys
# set (snapshots and deltas), each with an SSUBSCRIBE client on its
# node; then a gap line: with no delta after it, both books' keys are
# gone and both clients get the line.  Then a status "resync" of one
# symbol: its book alone.  (Before, on a cluster, the keys stayed until
# the book's next delta, and a late joiner reading them meanwhile was
# not told; the book channels never carried the line.)
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

sim_channels
# C: S00-USD's book; D: the first book channel served by another node
C=md.sim.S00-USD.book
pc=$(awk -v c="$C" '$1 == c { print $3 }' "$T/owners")
D=$(awk -v p="$pc" '$1 ~ /book$/ && $3 != p { print $1; exit }' "$T/owners")
pd=$(awk -v c="$D" '$1 == c { print $3 }' "$T/owners")
{ [ -n "$pc" ] && [ -n "$D" ] && [ -n "$pd" ]; } ||
    fail "no two book channels on two nodes"
symd=$(echo "$D" | sed 's/^md\.sim\.//; s/\.book$//')

cl_sub c "$pc" "$C"
cl_sub d "$pd" "$D"

# 32 symbols, each with a snapshot and deltas after it
"$GEN" --count 3200 --symbols 32 --snapshot-every 1000 >"$T/in"
{ grep -q "book_delta.*\"S00-USD\"" "$T/in" &&
    grep -q "book_delta.*\"$symd\"" "$T/in"; } || fail "no deltas of both books"
mkfifo "$T/fifo"
"$RP" -u "cluster://127.0.0.1:$port_a" --stats-interval 0 <"$T/fifo" \
    2>"$T/err" &
RP_PID=$!
track "$RP_PID"
exec 3>"$T/fifo"
cat "$T/in" >&3
# keys PORT CHANNEL: the channel's keys (snapshot, deltas) that exist
keys() { redis-cli -p "$1" exists "{$2}.snapshot" "{$2}.deltas"; }
# keys_are NC ND: C has NC of its keys, D ND
# shellcheck disable=SC2317 # called by wait_for
keys_are() {
	test "$(keys "$pc" "$C")" = "$1" && test "$(keys "$pd" "$D")" = "$2"
}
wait_for 20 keys_are 2 2 ||
    fail "keys of $C ($(keys "$pc" "$C")) and $D ($(keys "$pd" "$D")) not set"
last=$(tail -n 1 "$T/in" | sed 's/.*"seq":\([0-9]*\).*/\1/')

# seen NAME SEQ: client NAME got the line of that seq (cl.py writes
# "CHANNEL SEQ"; a gap line has none: "None")
seen() { grep -q " $2\$" "$T/$1.msgs"; }
gap="{\"type\":\"gap\",\"from\":$((last + 1)),\"lost\":7}"
echo "$gap" >&3
wait_for 20 keys_are 0 0 ||
    fail "after a gap line the keys of $C ($(keys "$pc" "$C")) and $D ($(keys "$pd" "$D")) are kept"
# shellcheck disable=SC2317 # called by wait_for
both_seen() { seen c None && seen d None; }
wait_for 10 both_seen ||
    fail "the gap line did not reach both book channels: $(tail -n 1 "$T/c.msgs"), $(tail -n 1 "$T/d.msgs")"

# both books' snapshots again, then a resync of S00-USD alone
grep -E "book_snapshot.*\"(S00-USD|$symd)\"" "$T/in" >&3
wait_for 20 keys_are 1 1 ||
    fail "snapshots not set again"
rs=$((last + 2))
echo "{\"type\":\"status\",\"venue\":\"sim\",\"symbol\":\"S00-USD\",\"seq\":$rs,\"vseq\":0,\"ts\":1,\"recv\":1,\"status\":\"resync\",\"reason\":\"test\"}" >&3
# shellcheck disable=SC2317 # called by wait_for
c_gone() { test "$(keys "$pc" "$C")" = 0; }
wait_for 20 c_gone ||
    fail "after its resync the keys of $C are kept"
wait_for 10 seen c "$rs" || fail "the resync did not reach $C: $(tail -n 1 "$T/c.msgs")"
exec 3>&-
wait "$RP_PID" || fail "redispub: exit $?: $(tail -n 3 "$T/err")"
assert_eq "keys of $D after the resync of S00-USD" 1 "$(keys "$pd" "$D")"
seen d "$rs" && fail "the resync of S00-USD reached $D"
assert_eq "lines dropped" 0 "$(counter dropped "$T/err")"
exit 0
