#!/bin/sh
# t-redispub-book-refused-gap: a book line Redis refuses for good is not
# missed silently (tickpipe(7) "Ordering and loss").  An ACL user denied
# SET makes Redis abort the MULTI of a snapshot (-EXECABORT), while the
# deltas after it are still published: a subscriber of the book channel
# that holds the book of the snapshot before would apply them to it.
# redispub counts the snapshot as dropped, exits 69, and a gap line
# covering its seq reaches the book channel, so the subscriber drops the
# book and waits for the next snapshot.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/redispub/rp.sh"
start_redis
rcli acl setuser feed on '>feedpw' '~*' '&*' +@all -set >/dev/null ||
    skip "no ACL support"
C=md.sim.S00-USD.book
"$SUB" -t 5 -P "$REDIS_PORT" "$C" >"$T/got" 2>"$T/sub.err" &
sub=$!
track $sub
wait_for 10 subscribed 1 || fail "subscriber did not subscribe"
"$GEN" --count 20 --symbols 1 --snapshot-every 10 >"$T/in"
grep -q '"type":"book_snapshot".*"seq":11,' "$T/in" ||
    fail "line 11 is not a snapshot"
# the first snapshot and its deltas as a user that may SET
sed -n '1,10p' "$T/in" | "$RP" -u "$REDIS_URL" --stats-interval 0 \
    2>"$T/err1" || fail "redispub exited $? on the first part"
sed -n '11,20p' "$T/in" | TICKPIPE_REDIS_PASSWORD=feedpw "$RP" \
    -u "redis://feed@127.0.0.1:$REDIS_PORT" --stats-interval 0 2>"$T/err"
rc=$?
wait_pid 30 $sub "the subscriber"
cat "$T/err" >&2
assert_eq "exit status with the snapshot dropped" 69 "$rc"
assert_eq "dropped" 1 "$(counter dropped "$T/err")"
grep -q '"type":"book_delta".*"seq":12,' "$T/got" ||
    fail "the delta after the refused snapshot was not published"
gap=$(grep '"type":"gap"' "$T/got" | head -n 1)
[ -n "$gap" ] || fail "no gap line on $C after its snapshot was refused"
from=$(echo "$gap" | sed -n 's/.*"from":\([0-9]*\).*/\1/p')
lost=$(echo "$gap" | sed -n 's/.*"lost":\([0-9]*\).*/\1/p')
if [ "${from:-99}" -gt 11 ] || [ $((from + ${lost:-0})) -le 11 ]; then
	fail "the gap line does not cover seq 11: $gap"
fi
note "snapshot 11 refused (EXECABORT): $gap on $C"
