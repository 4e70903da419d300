#!/bin/sh
# wsgate reads client frames however TCP cuts them (tests/wsgate/
# rawframes.py): a frame in the segment of the request head, a frame a
# byte at a time, headers and payloads split between segments, several
# frames in one segment, a fragmented message with a ping between its
# pieces, 16- and 64-bit lengths, a pause, a close split in two.  wsgate
# keeps a part frame in a buffer it allocates only for it and frees once
# the frame is whole (an idle client holds none), so each cut here
# passes through that buffer, is answered, and nothing published is lost.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --max-message 100000

test_frames_cut_anywhere_are_all_answered() {
	/usr/bin/python3 "$TESTS/wsgate/rawframes.py" "$WS_PORT" "$REDIS_PORT" \
	    >"$T/raw.out" 2>&1 || fail "$(cat "$T/raw.out")"
	assert_eq "client result" ok "$(cat "$T/raw.out")"
}

test_frames_cut_anywhere_are_all_answered
assert_eq "protocol errors" 0 "$(metric wsgate_client_errors_total)"
assert_eq "clean closes" 1 "$(metric 'wsgate_close_frames_total{code="1000"}')"
stop_wsgate
