#!/bin/sh
# t-ring-second-writer-refused: while a collector writes a ring, a second
# collector on the same ring is refused at once with one line naming the
# holder's pid and exit status 75 (EX_TEMPFAIL: retry later); the first
# one is undisturbed.  Once the first is gone, a new writer takes over
# and continues its sequence with the next epoch.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" -d 3 sim --rate 200 3>"$T/ready" \
    2>"$T/err1" &
p1=$!
track $p1
wait_for 30 test -s "$T/ready" || fail "first collector not ready: $(cat "$T/err1")"

"$BIN/collector" --ring "$RING" sim --count 5 2>"$T/err2"
assert_eq "second writer: exit status" 75 "$?"
assert_eq "second writer: message" \
    "collector: ring $RING is already written by pid $p1" "$(cat "$T/err2")"
kill -0 $p1 2>/dev/null || fail "the first writer died: $(cat "$T/err1")"

kill -TERM $p1
wait $p1
assert_eq "first writer: exit status after SIGTERM" 0 "$?"
seq=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
"$BIN/collector" --ring "$RING" sim --count 5 2>"$T/err3" ||
    fail "takeover: $(cat "$T/err3")"
assert_eq "epoch after takeover" 2 \
    "$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^epoch: //p')"
first=$("$BIN/shmreader" --ring "$RING" --no-follow --from $((seq + 1)) |
    head -n 1 | sed 's/.*"seq":\([0-9]*\),.*/\1/')
assert_eq "sequence continues" $((seq + 1)) "$first"
exit 0
