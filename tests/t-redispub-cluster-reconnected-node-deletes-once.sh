#!/bin/sh
# shellcheck disable=SC2154 # port_*: set by cluster_node through eval
# When redispub's connection to a cluster primary comes back, the keys
# of the node's slots are deleted and marked as the node's once per
# channel (keys_lost, redispub(1) CLUSTER), as the first command of the
# channel on the node; never again after the channel's next writes,
# which a second deletion would take away.  The deletions were groups
# whose redirection field was left as malloc gave it: if not zero, a
# deletion answered +OK was taken for one answered -ASK/-TRYAGAIN, held
# and sent again 20 ms later.
# Three redis-server --cluster-enabled yes primaries on loopback ports
# (tests/cluster/cluster.sh, no replicas); redispub -u cluster://, with
# MALLOC_PERTURB_ (glibc fills what malloc gives; an ASan build fills it
# too), reads a fifo the test feeds (rp-gen, 32 symbols).  1000 lines;
# MONITOR on node a; CLIENT KILL of redispub's connection there (node a
# stays up, the cluster ok: nothing is refused); 1000 more lines.
# The owner key of each book channel node a serves (the channels with
# one), and no other, must be in exactly one deletion's EVAL (batch.c
# mark_lua) on node a, and redispub must count no -ASK, -TRYAGAIN or
# -CLUSTERDOWN answer.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up

sim_channels
feed_split

RP_ENV=MALLOC_PERTURB_=165 fed_redispub "cluster://127.0.0.1:$port_b,127.0.0.1:$port_a" "$T/rp.err"
feed 1 1000
sleep 0.5

redis-cli -p "$port_a" monitor >"$T/monitor" 3>&- &
track $!
wait_for 10 grep -q OK "$T/monitor" || fail "MONITOR on node a did not start"
# redispub's: the clients but MONITOR and this CLIENT LIST
ids=$(redis-cli -p "$port_a" client list |
    awk '!/ cmd=(monitor|client)/ { sub("id=", "", $1); print $1 }')
[ -n "$ids" ] || fail "no connection of redispub's on node a"
for id in $ids; do
	redis-cli -p "$port_a" client kill id "$id" >/dev/null
done
wait_for 10 grep -q "reconnected" "$T/rp.err" ||
    fail "redispub did not reconnect to node a: $(tail -n 3 "$T/rp.err")"
feed 1001 2000
sleep 0.5
exec 3>&-
wait_pid 60 "$rp_pid" "redispub, at the end of its input,"
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
sleep 0.2

# the deletions' owner keys on node a, one a line: "{C}.owner"
grep -F "\"EVAL\" \"redis.call('DEL',KEYS[2],KEYS[3],KEYS[4]) " "$T/monitor" |
    sed 's/.*" "[0-9]*" "\([^"]*\)".*/\1/' | sort >"$T/deleted"
[ -s "$T/deleted" ] || fail "no channel's keys deleted on node a after its reconnection"
again=$(uniq -d "$T/deleted" | paste -sd ' ' -)
[ -z "$again" ] || fail "keys deleted twice on node a after one reconnection:" \
    "$again ($(grep 'answers followed' "$T/rp.err"))"
# every channel with an owner mark (a book channel: tickpipe(7)) whose
# slot node a serves (sim_channels' $T/owners), and no other: rp-gen
# --symbols 32 writes each of them again after the reconnection
awk -v p="$port_a" '$3 == p && $1 ~ /book$/ { print "{" $1 "}.owner" }' \
    "$T/owners" | sort >"$T/want"
[ -s "$T/want" ] || fail "no book channel on node a in $T/owners"
missed=$(sort -u "$T/deleted" | comm -23 "$T/want" - | paste -sd ' ' -)
[ -z "$missed" ] || fail "owner keys of node a not deleted after its reconnection:" \
    "$missed (deleted: $(sort -u "$T/deleted" | paste -sd ' ' -))"
other=$(sort -u "$T/deleted" | comm -13 "$T/want" - | paste -sd ' ' -)
[ -z "$other" ] || fail "owner keys deleted on node a that are not its channels': $other"
grep -q " 0 ASK/TRYAGAIN/CLUSTERDOWN answers followed" "$T/rp.err" ||
    fail "refusals counted, none made: $(grep 'answers followed' "$T/rp.err")"
note "$(wc -l <"$T/deleted") channels' keys deleted once on node a, all $(wc -l <"$T/want") of its book channels"
exit 0
