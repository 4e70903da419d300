# shellcheck shell=sh
# fence.sh: what the redispub fence tests share (sourced after lib.sh and
# wsgate/lib.sh).  fence_setup N M SYMBOLS: a private Redis, rp-gen's
# N + M lines in $T/a.in (1..N, for redispub A) and $T/b.in (the rest,
# for B), and a subscriber (redis-cli, psubscribe md.*) writing to
# $T/sub.  fence_verdict WHO: once the subscriber is done, fails unless
# some line of B's (seq > N) came, and no line of A's (seq <= N) after
# the first of B's; notes the counts; B's stderr ($T/b.err) must say it
# closed a connection of an earlier redispub.

fence_setup() {
	need_redispub
	start_redis --client-output-buffer-limit "pubsub 0 0 0"
	N=$1
	"$GEN" --count $(($1 + $2)) --symbols "$3" --snapshot-every 50 >"$T/all"
	sed -n "1,$1p" "$T/all" >"$T/a.in"
	sed -n "$(($1 + 1)),\$p" "$T/all" >"$T/b.in"
	rcli --raw psubscribe 'md.*' >"$T/sub" 2>&1 &
	track $!
	wait_for 10 sh -c "[ \"\$(redis-cli -p $REDIS_PORT pubsub numpat)\" -ge 1 ]" ||
	    fail "subscriber not subscribed"
}

fence_verdict() {
	# the subscriber is done when its file stops growing
	_size=-1
	while [ "$(wc -c <"$T/sub")" != "$_size" ]; do
		_size=$(wc -c <"$T/sub")
		sleep 0.5
	done
	# the lines of rp-gen only (a takeover's status line has no symbol)
	grep '"symbol"' "$T/sub" | grep -o '"seq":[0-9]*' | cut -d: -f2 >"$T/seqs"
	awk -v n="$N" '
		$1 > n && !b { b = NR }
		b && $1 <= n { late++; if (!first) first = $1 " at line " NR }
		$1 <= n { na++ }
		END {
			printf "lines of A %d, of B %d, of A after the first of B %d\n",
			    na, NR - na, late
			if (!b) { print "no line of B"; exit 1 }
			if (late) { print "the first: seq " first ", the first of B at line " b; exit 1 }
		}' "$T/seqs" >"$T/verdict" 2>&1 || {
		note "$(cat "$T/verdict")"
		fail "$1's commands ran after the new one's: $(tail -n 1 "$T/verdict")"
	}
	note "$(cat "$T/verdict")"
	grep -q "closed connection id=[0-9]*, an earlier redispub's" "$T/b.err" ||
	    fail "redispub B did not say it closed A's connection: $(cat "$T/b.err")"
}
