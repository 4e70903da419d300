#!/bin/sh
# t-shmreader-waits-for-writer: a following shmreader started before any
# writer waits for the ring to appear and then reads it from the start;
# with --no-follow a missing ring is an error (69) instead.  With -d FD it
# signals readiness once it reads, and --from latest then gets only what
# is written after that.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/shmreader" --ring "$RING" --no-follow >/dev/null 2>"$T/err"
assert_eq "--no-follow on a missing ring" 69 "$?"
grep -q "ring $RING does not exist" "$T/err" || fail "message: $(cat "$T/err")"

"$BIN/shmreader" --ring "$RING" --count 5 >"$T/out" 2>"$T/err" &
sp=$!
track $sp
sleep 0.5
kill -0 $sp 2>/dev/null || fail "shmreader did not wait: $(cat "$T/err")"
"$BIN/collector" --ring "$RING" sim --count 5 --rate max 2>"$T/cerr" ||
    fail "collector: $(cat "$T/cerr")"
wait_for 30 sh -c "! kill -0 $sp 2>/dev/null" || fail "shmreader still waits"
wait $sp
assert_eq "shmreader exit status" 0 "$?"
assert_eq "messages read" 5 "$(wc -l <"$T/out" | tr -d ' ')"
assert_eq "starts at the first record" '{"type":"status","venue":"sim","seq":1,' \
    "$(head -n 1 "$T/out" | cut -c 1-39)"

# -d: ready once reading; --from latest skips the 5 already there
"$BIN/shmreader" --ring "$RING" -d 3 --from latest --count 2 \
    3>"$T/ready" >"$T/out2" 2>"$T/err" &
sp=$!
track $sp
wait_for 30 test -s "$T/ready" || fail "no readiness: $(cat "$T/err")"
assert_eq "readiness is one newline" 1 "$(wc -c <"$T/ready" | tr -d ' ')"
H='"venue":"sim","symbol":"BTC-USD","ts":1,"recv":2,"price":"1","qty":"1","side":"buy"'
printf '{"type":"trade",%s,"tid":"new1"}\n{"type":"trade",%s,"tid":"new2"}\n' \
    "$H" "$H" | "$BIN/collector" --ring "$RING" jsonl 2>"$T/cerr" ||
    fail "collector jsonl: $(cat "$T/cerr")"
wait_for 30 sh -c "! kill -0 $sp 2>/dev/null" || fail "--from latest still waits"
assert_eq "--from latest: only the new records" "new1 new2" \
    "$(sed 's/.*"tid":"\([^"]*\)".*/\1/' "$T/out2" | tr '\n' ' ' | sed 's/ $//')"
exit 0
