#!/bin/sh
# t-history-read-v1: a version 1 history file (plain blocks, written by
# the recorder before records were packed; tests/history/v1, 300 sim
# messages, seed 2, in blocks of 100) is still read: `recorder cat -v`
# checks every block's CRC of its records and prints them all, the same
# bytes a shmreader capture of the ring had when it was written (its
# SHA-256 below), and `collector replay` replays them.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/history/hist.sh"
read_old 1 "$TESTS/history/v1" b99e4097733e4a80afbfd4969e033f29ddeeefec201a13dec888f2e429d2e27c
exit 0
