#!/bin/sh
# t-ring-sigbus-layout-mismatch: SIGBUS cause 4 in tickpipe-ring(5), a ring
# written by a build with another record layout.  A header carrying a
# different layout hash is refused by readers before mapping (one line
# naming the field, expected and found hash; exit 78) and by the writer
# (78, suggesting --recreate).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 20 \
    2>"$T/c.err" || fail "collector: $(cat "$T/c.err")"
want=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^layout_hash: //p')
case $want in 0x????????????????) ;; *) fail "--stat layout_hash: '$want'" ;; esac
"$BIN/tests/ringtool" set "/dev/shm/tickpipe.$RING" layout_hash 0x1234 ||
    fail "cannot forge the header"

"$BIN/shmreader" --ring "$RING" --no-follow >"$T/out" 2>"$T/err"
assert_eq "shmreader exit status" 78 "$?"
assert_eq "stderr lines" 1 "$(wc -l <"$T/err" | tr -d ' ')"
grep -qF "ring $RING: layout hash: expected $want, found 0x0000000000001234" \
    "$T/err" || fail "message: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "printed records from a foreign layout"
note "$(cat "$T/err")"

"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 5 2>"$T/err"
assert_eq "collector exit status" 78 "$?"
grep -q "layout hash: expected $want, found 0x0000000000001234.*--recreate" \
    "$T/err" || fail "collector message: $(cat "$T/err")"
exit 0
