#!/bin/sh
# t-flood-of-bad-lines: a flood of bad input (/dev/urandom on stdin, every
# line malformed, stdin always readable) neither deafens a program to
# SIGTERM nor floods its log.  redispub and `collector jsonl` each read it
# for 3 s, then get SIGTERM: each exits within 1 s with status 0
# (redispub(1), collector(1)), has written less than 64 KiB to stderr, and
# says how many reports its rate limit held back.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

# flood WHAT HELD CMD...: runs CMD on /dev/urandom for 3 s, then checks
# its stop and its stderr; HELD is the text of the held-back report
flood() {
	_what=$1 _held=$2
	shift 2
	"$@" </dev/urandom 2>"$T/err" >/dev/null &
	_pid=$!
	track $_pid
	sleep 3
	kill -0 $_pid 2>/dev/null || { cat "$T/err"; fail "$_what died on the flood"; }
	_t0=$(ms)
	kill -TERM $_pid
	while kill -0 $_pid 2>/dev/null && [ $(($(ms) - _t0)) -lt 1000 ]; do
		sleep 0.02
	done
	kill -0 $_pid 2>/dev/null && fail "$_what still running 1 s after SIGTERM"
	wait $_pid
	_rc=$?
	_took=$(($(ms) - _t0))
	_size=$(wc -c <"$T/err")
	note "$_what: exit $_rc $_took ms after SIGTERM, $_size bytes on stderr in 3 s"
	assert_eq "$_what: exit status after SIGTERM" 0 "$_rc"
	[ "$_size" -lt 65536 ] || fail "$_what: $_size bytes of errors in 3 s"
	grep -q "$_held" "$T/err" || { tail -n 5 "$T/err"; fail "$_what: no '$_held' report"; }
}

start_redis
flood redispub "more malformed or rejected lines not logged" \
    "$BIN/redispub" -u "$REDIS_URL"
flood "collector jsonl" "more bad or gap lines not reported" \
    "$BIN/collector" --ring "$RING" jsonl
