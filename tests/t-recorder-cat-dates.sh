#!/bin/sh
# t-recorder-cat-dates: --from and --to take only days the month has
# (recorder(1)): February 30, April 31 or February 29 of a common year
# are usage errors (64), not read as days of the next month; February 29
# of a leap year is a day.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
mkdir "$T/h"
for d in 2026-02-30 2026-04-31T10:00Z 2026-02-29 1900-02-29 2026-11-31; do
	"$BIN/recorder" cat --from "$d" "$T/h" >/dev/null 2>"$T/err"
	assert_eq "--from $d" 64 "$?"
	grep -q -- "--from $d: want" "$T/err" || fail "--from $d: $(cat "$T/err")"
done
for d in 2024-02-29 2000-02-29T12:00Z 2026-12-31 2026-04-30; do
	"$BIN/recorder" cat --from "$d" --to 2100-01-01 "$T/h" >/dev/null \
	    2>"$T/err" || fail "--from $d: exit $?: $(cat "$T/err")"
done
exit 0
