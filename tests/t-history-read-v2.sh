#!/bin/sh
# t-history-read-v2: a version 2 history file (blocks packed as enc 1,
# written by the recorder before packing by reference; tests/history/v2,
# 300 sim messages, seed 2, in blocks of 100) is still read: `recorder
# cat -v` decodes every block and prints the records, the same bytes a
# shmreader capture of the ring had when it was written (its SHA-256
# below), and `collector replay` replays them.  The recorder records the
# replay as a version 3 file (blocks packed by reference, enc 2) that
# reads back to the same records.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
read_old 2 "$TESTS/history/v2" aba3f62cf4099a571e40a568f253f68c4e004df841579af9f0a757af0d063b40

cursor=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
# shellcheck disable=SC2034 # rec_start's
H=$T/new
rec_start rec --block 100 --flush 20
rec_until rec "$cursor"
f=$(ls "$T"/new/*/*.tph)
# u32 at 12: the file's version; at 64 + 56: the first block's enc
assert_eq "version and first enc of a new file" "3 2" \
    "$(od -A n -t u4 -j 12 -N 4 "$f" | tr -d ' ') $(od -A n -t u4 -j 120 -N 4 "$f" | tr -d ' ')"
"$BIN/recorder" cat -v --format raw "$T/new" >"$T/new.cap" 2>"$T/err" ||
    fail "recorder cat of the new file: $(cat "$T/err")"
$CAP noseq "$T/new.cap" "$T/c"
cmp "$T/a" "$T/c" || fail "the version 3 file differs from the records"
exit 0
