#!/bin/sh
# t-ring-sigbus-enospc: SIGBUS cause 2 in tickpipe-ring(5), a ring larger than
# the free space of its tmpfs.  The writer reserves every page at creation
# (posix_fallocate), so it fails at once with a clear one-line ENOSPC
# message and exit status 73, leaves nothing behind, and a ring that fits
# works.  A ring truncated under its writer when there is no space left
# to make it anew: the writer says so once and exits 73.  Needs to mount
# a 1 MiB tmpfs (root); skipped otherwise.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
mkdir "$T/mnt"
mount -t tmpfs -o size=1m tickpipe-test "$T/mnt" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs here: $(cat "$T/mount.err")"
trap 'tp_cleanup_umount "$T/mnt"' EXIT

# 65536 records: 16 MiB into 1 MiB
"$BIN/collector" --ring "$T/mnt/ring" --capacity 65536 sim --count 5 \
    2>"$T/err"
assert_eq "exit status" 73 "$?"
assert_eq "stderr lines" 1 "$(wc -l <"$T/err" | tr -d ' ')"
grep -q "^collector: $T/mnt/ring: no space for 16781312 bytes (65536 records) on the shm filesystem" \
    "$T/err" || fail "message: $(cat "$T/err")"
note "$(cat "$T/err")"
[ ! -e "$T/mnt/ring" ] || fail "a partial ring was left behind"
assert_eq "space used after the failure" 0 \
    "$(df -k "$T/mnt" | awk 'NR == 2 { print $3 }')"

# 2048 records (516 KiB) fit, and are readable
"$BIN/collector" --ring "$T/mnt/ring" --capacity 2048 sim --count 20 \
    2>"$T/err" || fail "a ring that fits: $(cat "$T/err")"
n=$("$BIN/shmreader" --ring "$T/mnt/ring" --no-follow | wc -l)
[ "$n" -ge 20 ] || fail "only $n lines"

# a second one of the same size no longer fits: 2 x 516 KiB > 1 MiB
"$BIN/collector" --ring "$T/mnt/ring2" --capacity 2048 sim --count 5 \
    2>"$T/err"
assert_eq "second ring: exit status" 73 "$?"
grep -q "no space" "$T/err" || fail "second ring: $(cat "$T/err")"
[ ! -e "$T/mnt/ring2" ] || fail "a partial second ring was left behind"

# the ring truncated while written, and no space to make it anew
"$BIN/collector" --ring "$T/mnt/ring" sim --rate 100 2>"$T/err" &
cp=$!
track $cp
wait_for 10 grep -q . "$T/mnt/ring" || fail "the collector did not reopen the ring"
sleep 0.3
dd if=/dev/zero of="$T/mnt/fill" bs=4k 2>/dev/null
# stopped while its ring is truncated and the space it freed is taken:
# running, it could make the ring anew in between (on a loaded machine
# the second dd starts after the collector's next record)
kill -STOP $cp
truncate -s 0 "$T/mnt/ring"
dd if=/dev/zero of="$T/mnt/fill2" bs=4k 2>/dev/null
kill -CONT $cp
wait_for 10 sh -c "! kill -0 $cp 2>/dev/null" || fail "the collector runs on: $(cat "$T/err")"
wait $cp
assert_eq "exit status, the ring lost for want of space" 73 "$?"
assert_eq "lines saying so" 1 "$(grep -c "not recreated" "$T/err")"
exit 0
