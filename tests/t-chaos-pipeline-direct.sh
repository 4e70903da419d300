#!/bin/sh
# t-chaos-pipeline-direct: t-chaos-pipeline with PIPELINE_READER=redispub,
# the ring read by redispub --ring without shmreader (tickpipe(8)): the
# same faults (but for shmreader's kill, there being none), the same
# verdict: nothing lost that the clients are not told of, every book
# exact or announced gone wrong, every stage repaired.
# shellcheck disable=SC2034 # read by chaos/pipeline.sh
READER=redispub
# shellcheck disable=SC1091
. "$(dirname "$0")/chaos/pipeline.sh"
