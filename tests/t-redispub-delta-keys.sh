#!/bin/sh
# t-redispub-delta-keys: with deltas sent in grouped RPUSHes, the
# late-joiner keys still follow redispub(1) exactly:
#  - max_deltas: fed at full speed, a channel whose last snapshot is
#    followed by D deltas keeps its keys with --max-deltas D and loses
#    both keys with --max-deltas D-1;
#  - reconnect: after the connection is lost, the first delta of a
#    channel deletes both keys, and its next snapshot brings them back.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
start_redis

max_deltas() {
	"$GEN" --count 20000 --symbols 2 --snapshot-every 1000 >"$T/in"
	book keys "$C" <"$T/in" >"$T/keys.want"
	d=$(( $(wc -l <"$T/keys.want") - 1 ))
	[ "$d" -gt 100 ] || fail "only $d deltas after the last snapshot"
	rcli flushall >/dev/null
	"$RP" -u "$REDIS_URL" --max-deltas "$d" <"$T/in" 2>"$T/err" || fail "redispub exited $?"
	{ rcli get "$C.snapshot"; rcli lrange "$C.deltas" 0 -1; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" ||
	    fail "--max-deltas $d: keys hold $(wc -l <"$T/keys.got") lines, not the snapshot and $d deltas"
	rcli flushall >/dev/null
	"$RP" -u "$REDIS_URL" --max-deltas $(( d - 1 )) <"$T/in" 2>"$T/err" || fail "redispub exited $?"
	assert_eq "--max-deltas $(( d - 1 )): keys left" 0 "$(rcli exists "$C.snapshot" "$C.deltas")"
	calls=$(rcli info commandstats | sed -n 's/^cmdstat_rpush:calls=\([0-9]*\),.*/\1/p' | tr -d '\r')
	note "max_deltas: cap of $d kept, $(( d - 1 )) dropped the keys ($calls RPUSH calls)"
}

reconnect() {
	rcli flushall >/dev/null
	# two snapshots of S00-USD: messages 1 and 1001, lines 1 and 2001
	"$GEN" --count 3000 --symbols 2 --snapshot-every 1000 >"$T/in"
	sed -n '1,1000p' "$T/in" >"$T/a"
	sed -n '1001,2000p' "$T/in" >"$T/b"
	sed -n '2001,$p' "$T/in" >"$T/c"
	head -n 1 "$T/c" | grep -q "book_snapshot.*S00-USD" || fail "part c does not start with a snapshot"
	book keys "$C" <"$T/a" >"$T/keys.a"
	mkfifo "$T/fifo"
	"$RP" -u "$REDIS_URL" <"$T/fifo" 2>"$T/err" &
	rp=$!
	track $rp
	exec 3>"$T/fifo"
	cat "$T/a" >&3
	want=$(( $(wc -l <"$T/keys.a") - 1 ))
	wait_for 20 test "$(rcli llen "$C.deltas")" = "$want" ||
	    fail "the deltas of part a did not arrive: $(rcli llen "$C.deltas") of $want in the list; redispub said: $(tail -n 3 "$T/err" | tr '\n' ' ')"
	rcli client kill type normal skipme yes >/dev/null
	wait_for 20 grep -q reconnected "$T/err" || fail "redispub did not reconnect"
	cat "$T/b" >&3
	wait_for 20 test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0 ||
	    fail "keys not deleted after the reconnect"
	cat "$T/c" >&3
	exec 3>&-
	wait $rp || fail "redispub exited $?"
	book keys "$C" <"$T/in" >"$T/keys.want"
	{ rcli get "$C.snapshot"; rcli lrange "$C.deltas" 0 -1; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" || fail "keys not rebuilt from the next snapshot"
	note "reconnect: keys deleted at the first delta, rebuilt from the next snapshot"
}

max_deltas
reconnect
