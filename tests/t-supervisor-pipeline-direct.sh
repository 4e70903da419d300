#!/bin/sh
# t-supervisor-pipeline-direct: PIPELINE_READER=redispub (redispub --ring
# reads the ring, tickpipe(8)) has no filters: with SHMREADER_ARGS it is
# a configuration error, said.  (Its pipeline at work, and resumed after
# a kill: t-supervisor-pipeline-resume.)
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

write_conf "PIPELINE_READER=redispub" "SHMREADER_ARGS=--venue sim"
tp check >"$T/check" 2>&1
assert_eq "tickpipe check with SHMREADER_ARGS" 78 "$?"
grep -q 'SHMREADER_ARGS needs PIPELINE_READER=shmreader' "$T/check" ||
    fail "no reason given: $(cat "$T/check")"
write_conf "PIPELINE_READER=readall"
tp check >"$T/check" 2>&1
assert_eq "tickpipe check with PIPELINE_READER=readall" 78 "$?"
grep -q 'PIPELINE_READER=readall: must be one of: shmreader redispub' "$T/check" ||
    fail "no reason given: $(cat "$T/check")"
