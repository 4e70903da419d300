#!/bin/sh
# t-ring-group-members-read-only: `collector --group G` creates the ring
# with mode 0640 and group G: the group may read it, only the writer
# writes.  As root, the test takes a real second uid (setpriv, numeric
# ids, nothing added to the system): a member of G follows the live ring
# through a read-only descriptor and misses nothing, may not write the
# object, and a uid outside G may not open it; once the writer is gone
# and the object truncated, its mode made 000, a member following it
# exits 74 (it waited for ever).  Otherwise the owner loses
# its write permission (chmod 0440) to force the read-only path.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
U=54321
if [ "$(id -u)" = 0 ]; then G=54320; else G=$(id -g); fi

"$BIN/collector" --ring "$RING" --group "$G" sim --rate 2000 2>"$T/c.err" &
w=$!
track $w
wait_for 10 test -e "$SHM" || fail "no ring: $(cat "$T/c.err")"
# the collector creates the object, then sets its group: a moment apart
# shellcheck disable=SC2317 # called by wait_for
group_set() { [ "$(stat -c '%a %g' "$SHM")" = "640 $G" ]; }
wait_for 5 group_set
assert_eq "mode and group" "640 $G" "$(stat -c '%a %g' "$SHM")"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_member() { setpriv --reuid=$U --regid=$U --groups="$G" "$@"; }
	as_member sh -c ": >>$SHM" 2>/dev/null &&
	    fail "a group member could write the ring"
	setpriv --reuid=$((U + 1)) --regid=$((U + 1)) --clear-groups \
	    "$BIN/shmreader" --ring "$RING" --count 1 >/dev/null 2>"$T/err" &&
	    fail "a uid outside the group read the ring"
	grep -q "Permission denied" "$T/err" || fail "outsider: $(cat "$T/err")"
	reader() { as_member "$BIN/shmreader" "$@"; }
else
	note "not root: the owner reads without write permission instead"
	chmod 0440 "$SHM"
	reader() { "$BIN/shmreader" "$@"; }
fi
reader --ring "$RING" --from latest --count 500 >"$T/out" 2>"$T/err" ||
    fail "read-only reader: exit $?: $(cat "$T/err")"
assert_eq "messages read" 500 "$(wc -l <"$T/out" | tr -d ' ')"
sum=$("$BIN/tests/ringtool" seqcheck <"$T/out" 2>&1) || fail "$sum"
case $sum in *" gaps 0 "*) ;; *) fail "read-only reader lost: $sum" ;; esac
note "read-only reader: $sum"

# the writer gone, the object truncated and its mode made 000: a member
# following it can no longer open the name, and judges by the object it
# has (truncated, no writer): exit 74, where it waited for ever
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	kill "$w"
	wait "$w"
	# setpriv execs it: $! is the reader's pid (a function run in the
	# background would be a subshell, and the reader outlive a failure)
	setpriv --reuid=$U --regid=$U --groups="$G" "$BIN/shmreader" \
	    --ring "$RING" --from latest >/dev/null 2>"$T/err" &
	r=$!
	track $r
	sleep 0.5
	truncate -s 4096 "$SHM"
	chmod 000 "$SHM"
	wait_for 15 exited $r || fail "the reader still waits: $(cat "$T/err")"
	wait $r
	assert_eq "reader of a truncated ring it can no longer open" 74 "$?"
fi
exit 0
