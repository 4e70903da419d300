#!/bin/sh
# t-redispub-delta-keys: with deltas sent in grouped APPENDs, the
# late-joiner keys still follow redispub(1) and tickpipe(7) exactly:
#  - string: C.deltas is a string, each delta line followed by a
#    newline, even where an older redispub left a list and a snapshot;
#  - wrongtype: a list put under C.deltas while redispub runs (an older
#    redispub) makes its APPENDs fail WRONGTYPE: the lines still count
#    as published, none dropped, the next delta deletes both keys and
#    the next snapshot rebuilds them;
#  - max_deltas: fed at full speed, a channel whose last snapshot is
#    followed by D deltas keeps its keys with --max-deltas D and loses
#    both keys with --max-deltas D-1;
#  - default_cap: without --max-deltas the cap is 20000 deltas, the
#    most wsgate(1) replays: a snapshot and 20000 deltas keep the keys,
#    one delta more deletes them;
#  - reconnect: after the connection is lost, the first delta of a
#    channel deletes both keys, and its next snapshot brings them back.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
C=md.sim.S00-USD.book
start_redis

# ndeltas_is N: C.deltas holds N lines
ndeltas_is() { test "$(rdeltas "$C.deltas" | wc -l)" = "$1"; }
# keys_gone: neither C.snapshot nor C.deltas exists
keys_gone() { test "$(rcli exists "$C.snapshot" "$C.deltas")" = 0; }

string() {
	rcli flushall >/dev/null
	"$GEN" --count 3000 --symbols 2 --snapshot-every 1000 >"$T/in"
	rcli set "$C.snapshot" '{"old":0}' >/dev/null
	rcli rpush "$C.deltas" '{"old":1}' '{"old":2}' >/dev/null
	"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/in" 2>"$T/err" || fail "redispub exited $?"
	assert_eq "type of $C.deltas" string "$(rcli type "$C.deltas" | tr -d '\r')"
	book keys "$C" <"$T/in" >"$T/keys.want"
	# the value itself: every line followed by "\n" (redis-cli adds one)
	{ tail -n +2 "$T/keys.want"; echo; } >"$T/deltas.want"
	rcli get "$C.deltas" >"$T/deltas.got"
	cmp -s "$T/deltas.want" "$T/deltas.got" ||
	    fail "$C.deltas is not the $(( $(wc -l <"$T/keys.want") - 1 )) deltas each followed by a newline: $(head -c 200 "$T/deltas.got")"
	{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" || fail "the keys do not hold the last snapshot and the deltas after it"
	assert_eq "dropped" 0 "$(counter dropped "$T/err")"
	note "string: an older list replaced; $(( $(wc -l <"$T/keys.want") - 1 )) deltas in a string of $(rcli strlen "$C.deltas") bytes"
}

wrongtype() {
	rcli flushall >/dev/null
	keys_parts "$C"
	keys_feed_a "$C"
	# an older redispub's list, behind redispub's back
	rcli del "$C.deltas" >/dev/null
	rcli rpush "$C.deltas" '{"old":1}' >/dev/null
	cat "$T/b1" >&3
	wait_for 20 grep -q WRONGTYPE "$T/err" || fail "no WRONGTYPE logged: $(tail -n 3 "$T/err" | tr '\n' ' ')"
	cat "$T/b2" >&3
	wait_for 20 keys_gone || fail "keys not deleted after the WRONGTYPE: $(rcli type "$C.deltas")"
	cat "$T/c" >&3
	exec 3>&-
	wait "$RP_PID" || fail "redispub exited $?"
	book keys "$C" <"$T/in" >"$T/keys.want"
	{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" || fail "keys not rebuilt from the next snapshot"
	assert_eq "dropped" 0 "$(counter dropped "$T/err")"
	assert_eq "published" 3000 "$(counter published "$T/err")"
	note "wrongtype: lines published, keys deleted at the next delta, rebuilt from the next snapshot"
}

max_deltas() {
	"$GEN" --count 20000 --symbols 2 --snapshot-every 1000 >"$T/in"
	book keys "$C" <"$T/in" >"$T/keys.want"
	d=$(( $(wc -l <"$T/keys.want") - 1 ))
	[ "$d" -gt 100 ] || fail "only $d deltas after the last snapshot"
	rcli flushall >/dev/null
	"$RP" -u "$REDIS_URL" --max-deltas "$d" <"$T/in" 2>"$T/err" || fail "redispub exited $?"
	{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" ||
	    fail "--max-deltas $d: keys hold $(wc -l <"$T/keys.got") lines, not the snapshot and $d deltas"
	rcli flushall >/dev/null
	"$RP" -u "$REDIS_URL" --max-deltas $(( d - 1 )) <"$T/in" 2>"$T/err" || fail "redispub exited $?"
	assert_eq "--max-deltas $(( d - 1 )): keys left" 0 "$(rcli exists "$C.snapshot" "$C.deltas")"
	calls=$(rcli info commandstats | sed -n 's/^cmdstat_append:calls=\([0-9]*\),.*/\1/p' | tr -d '\r')
	note "max_deltas: cap of $d kept, $(( d - 1 )) dropped the keys ($calls APPEND calls)"
}

default_cap() {
	rcli flushall >/dev/null
	"$GEN" --count 41000 --symbols 1 --snapshot-every 1000000 >"$T/in"
	# the input up to the Nth delta after the one snapshot, trades included
	upto() { awk -v n="$1" '/"type":"book_delta"/ && ++d > n { exit } { print }' "$T/in"; }
	upto 20000 >"$T/a"
	upto 20001 >"$T/b"
	assert_eq "deltas in the input" 20001 "$(grep -c '"type":"book_delta"' "$T/b")"
	"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/a" 2>"$T/err" || fail "redispub exited $?"
	ndeltas_is 20000 || fail "default cap: $C.deltas holds $(rdeltas "$C.deltas" | wc -l) lines, not 20000"
	rcli flushall >/dev/null
	"$RP" -u "$REDIS_URL" --stats-interval 0 <"$T/b" 2>"$T/err" || fail "redispub exited $?"
	keys_gone || fail "default cap: 20001 deltas left the keys"
	note "default_cap: 20000 deltas kept, 20001 deleted the keys"
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
	wait_for 20 ndeltas_is "$want" ||
	    fail "the deltas of part a did not arrive: $(rdeltas "$C.deltas" | wc -l) of $want in the key; redispub said: $(tail -n 3 "$T/err" | tr '\n' ' ')"
	rcli client kill type normal skipme yes >/dev/null
	wait_for 20 grep -q reconnected "$T/err" || fail "redispub did not reconnect"
	cat "$T/b" >&3
	wait_for 20 keys_gone ||
	    fail "keys not deleted after the reconnect"
	cat "$T/c" >&3
	exec 3>&-
	wait $rp || fail "redispub exited $?"
	book keys "$C" <"$T/in" >"$T/keys.want"
	{ rcli get "$C.snapshot"; rdeltas "$C.deltas"; } >"$T/keys.got"
	cmp -s "$T/keys.want" "$T/keys.got" || fail "keys not rebuilt from the next snapshot"
	note "reconnect: keys deleted at the first delta, rebuilt from the next snapshot"
}

string
wrongtype
max_deltas
default_cap
reconnect
