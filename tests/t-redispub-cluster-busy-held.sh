#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# t-redispub-cluster-busy-held: on a 3-node Redis Cluster a node that
# answers -BUSY (a script running past busy-reply-threshold) gets its
# slots' lines held and tried again, as -TRYAGAIN's are, not dropped, as
# on one Redis (redispub(1) "CLUSTER").  A book channel's node runs a
# script for 2 s while redispub is fed 32 books at 150 lines/s: redispub
# dropped the lines it sent meanwhile and exited 69.  It says so once,
# exits 0 with none dropped, and an SSUBSCRIBE client of the channel on
# that node gets every line of it.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up --busy-reply-threshold 100
sim_channels
C=md.sim.S00-USD.book
pc=$(awk -v c="$C" '$1 == c { print $3 }' "$T/owners")
[ -n "$pc" ] || fail "no node for $C"
mkfifo "$T/c.ready"
cl sub "$pc" "$T/c.msgs" "$C" >"$T/c.ready" 2>"$T/c.err" &
track $!
read -r ok <"$T/c.ready" || true
[ "$ok" = ready ] || fail "subscriber: $(cat "$T/c.err")"
gen_fifo --count 900 --rate 150 --symbols 32 --snapshot-every 20
"$RP" -u "cluster://127.0.0.1:$port_a" --stats-interval 0 <"$T/fifo" \
    2>"$T/err" &
rp=$!
track $rp
sleep 1.5
redis-cli -p "$pc" eval 'local function us() local t = redis.call("TIME")
	return t[1] * 1000000 + t[2] end
	local t0 = us() while us() - t0 < 2000000 do end return 1' 0 >/dev/null ||
    fail "the busy script did not run"
wait_pid 60 $rp "redispub, at the end of its input,"
rc=$?
cat "$T/err" >&2
grep -q "BUSY" "$T/err" || fail "redispub never met -BUSY (the script ran too early or late?)"
assert_eq "exit status" 0 "$rc"
assert_eq "dropped" 0 "$(counter dropped "$T/err")"
assert_eq "refusals said" 1 "$(grep -c 'refused a command for now (BUSY' "$T/err")"
grep '"symbol":"S00-USD".*"type":"book_\|"type":"book_[a-z]*","venue":"sim","symbol":"S00-USD"' "$T/in" |
    sed 's/.*"seq":\([0-9]*\).*/\1/' | sort -u >"$T/fed"
# shellcheck disable=SC2317 # called by wait_for
all_seen() {
	awk '{ print $2 }' "$T/c.msgs" | sort -u >"$T/seen"
	[ -z "$(comm -23 "$T/fed" "$T/seen")" ]
}
wait_for 10 all_seen ||
    fail "$C: $(comm -23 "$T/fed" "$T/seen" | wc -l) of $(wc -l <"$T/fed") lines never received"
note "$(wc -l <"$T/fed") lines of $C held across a 2 s -BUSY on its node, all delivered"
