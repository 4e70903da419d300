#!/bin/sh
# shellcheck disable=SC2154 # port_*, pid_*: set by cluster_node through eval
# A channel's messages keep their order while its slot migrates, even
# with many of them in flight to the old node when it first refuses one
# and the channel's keys leaving it one at a time: the old node refuses
# (-ASK, -TRYAGAIN) every MULTI of a key and a SPUBLISH of the slot,
# whichever keys it still holds, so none behind a refused one runs
# ahead of it, and redispub tries the refused ones again there, in
# order (redispub(1) CLUSTER).
# 3-node cluster (tests/cluster/cluster.sh); rp-gen on 4 symbols ->
# redispub -u cluster://; book channel B's slot migrates from its node
# SRC to DST, with subscribers for B on both (ASKING on DST, importing
# the slot).  In one MULTI on SRC: DEBUG SLEEP half a second, with the
# slot still stable (redispub's commands of B, snapshots and deltas,
# pile up unread), then SETSLOT MIGRATING and a MIGRATE of
# {B}.snapshot alone (as a resharding may cut a slot's keys into two
# MIGRATEs); SRC then reads the pile: a snapshot is answered -ASK (its
# key has left), a delta -TRYAGAIN (its {B}.deltas is still there).
# The rest of the slot is then MIGRATEd and given to DST (cl.py end).
# Every channel, SRC's then DST's subscriber, must have each line once,
# in order, and SRC must have answered some -ASK.  Held groups sent
# again in their order of arrival rather than the caller's (held_push
# without its sort) make it fail: "md.sim.S00-USD.book: 1539 lines,
# 1539 received, 0 lost ([]), 0 duplicated, in order: False".
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"

# shellcheck disable=SC1091
. "$TESTS/cluster/cluster.sh"
cluster_up --enable-debug-command local

# B: the first book channel; SRC its node, DST another one
cluster_pick book
B=$pick
echo "$B $slot $src" >"$T/moving"

cluster_sub_owners

cluster_feed "cluster://127.0.0.1:$src,127.0.0.1:$dst" 12000 2000 4
sleep 1.5
redis-cli -p "$src" exists "{$B}.snapshot" | grep -qx 1 ||
    fail "{$B}.snapshot not on its node $src"
redis-cli -p "$dst" cluster setslot "$slot" importing \
    "$(redis-cli -p "$src" cluster myid)" | grep -qx OK ||
    fail "IMPORTING on $dst"
cl_sub new "$dst" --asking "$B"
# SRC stalls with the slot still its own, then at once migrates it and
# gives {B}.snapshot away, before it reads what piled up meanwhile
printf 'MULTI\nDEBUG SLEEP 0.5\nCLUSTER SETSLOT %s MIGRATING %s\nMIGRATE 127.0.0.1 %s "" 0 5000 KEYS {%s}.snapshot\nEXEC\n' \
    "$slot" "$(redis-cli -p "$dst" cluster myid)" "$dst" "$B" |
    redis-cli -p "$src" >"$T/migrate.log" 2>&1
on_dst=$(printf 'ASKING\nEXISTS {%s}.snapshot\n' "$B" |
    redis-cli -p "$dst" | tail -n 1)
[ "$on_dst" = 1 ] ||
    fail "{$B}.snapshot not MIGRATEd to $dst: $(cat "$T/migrate.log")"
sleep 0.5
# the snapshot piled up behind DEBUG SLEEP was answered -ASK
asks=$(redis-cli -p "$src" info errorstats | tr -d '\r' |
    sed -n 's/^errorstat_ASK:count=\([0-9]*\).*/\1/p')
[ "${asks:-0}" -gt 0 ] || fail "node $src answered no -ASK"
cl end "$src" "$dst" "$slot" "$other" || fail "end of the migration"
note "slot $slot of $B moved from $src to $dst at $(wc -l <"$T/in") lines"

wait_pid 30 "$rp_pid" redispub
rc=$?
[ "$rc" -eq 0 ] || fail "redispub exited $rc: $(tail -n 5 "$T/rp.err")"
grep 'redis cluster' "$T/rp.err" | sed 's/^/  redispub: /' >&2
sleep 0.5

/usr/bin/python3 "$TESTS/cluster/delivered.py" "$T" new - "$T/moving" ||
    fail "delivery check failed"
note "node $src answered $asks -ASK"
exit 0
