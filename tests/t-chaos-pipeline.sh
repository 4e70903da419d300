#!/bin/sh
# t-chaos-pipeline: nothing is lost that clients are not told of, while
# the whole pipeline runs at 20000 messages/s under the supervisor and
# each stage is killed in turn.  (The same with the ring read by redispub
# --ring: t-chaos-pipeline-direct.)
#
# Two clients follow everything (md.*) from start to end: a Redis
# subscriber (with the private Redis's password) and a WebSocket client of
# wsgate (tests/chaos/chaos-sub.c; the verdict: tests/chaos/chaos.py).  Each counts per channel by ring seq and
# keeps every book exact by the venue's vseq.  An observer (shmreader on
# the ring) lists the seq of every message.  The faults, 3 s apart:
# SIGKILL of redis-server (paused 0.5 s before, so that commands are in
# flight), the collector, shmreader, redispub and wsgate, each repaired
# by the supervisor; then the backlog case: Redis stopped
# (SIGSTOP) 6 s, continued, and redispub SIGKILLed 0.3 s later, with the
# WebSocket client stopped from just before Redis continues until 1 s
# after that kill, so that it falls behind the backlog's burst: wsgate
# moves its books to conflation and tells it ({"type":"conflated"},
# wsgate(1) --slow-client-hz), or closes it at its output cap.  (A
# client that fell behind by itself, on a loaded machine, made this test
# fail now and then before the verdict knew the notice.)  Then the
# collector is stopped and the pipeline drained.
#
# The test fails if a client misses a seq it was not told of (a gap line,
# a document naming the range, its own disconnection, wsgate's
# redis_down; a book's deltas from wsgate's book_invalid until its next
# snapshot: tests/chaos/chaos.py), if a book goes wrong without notice
# or ends unlike the ring's, or if a stage is not repaired within
# REPAIR_S.  It prints, per
# fault and client, the seqs lost and announced, lost silently and
# received twice, and the repair time: from the fault until both clients
# get data newer than it.
# shellcheck disable=SC2034 # read by chaos/pipeline.sh
READER=shmreader
# shellcheck disable=SC1091
. "$(dirname "$0")/chaos/pipeline.sh"
