#!/bin/sh
# t-ring-writer-names-replacement: another object renamed over the
# ring's name while `collector sim` writes it is a replacement, and the
# collector says so (collector(1): "after replacement: PATH is another
# object"), not a removal: the name never stopped existing.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/ring/lib.sh"

"$BIN/collector" --ring "$RING" sim --rate 2000 2>"$T/c.err" &
cp=$!
track $cp
wait_for 10 test -e "$SHM" || fail "no ring: $(cat "$T/c.err")"
head -c 8192 /dev/zero | tr '\0' 'x' >"$SHM.other"
mv "$SHM.other" "$SHM"
wait_for 10 grep -q "recreated after" "$T/c.err" ||
    fail "the collector did not notice: $(cat "$T/c.err")"
grep -q "recreated after replacement: .* is another object" "$T/c.err" ||
    fail "collector said: $(cat "$T/c.err")"
stopped_cleanly collector $cp
exit 0
