#!/bin/sh
# wsgate speaks RFC 6455 with a real client (python3-websockets): each
# behaviour below is one function; every close code wsgate uses for a
# client's fault is checked, and the metrics count them.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate --max-message 4096 --max-subscriptions 8

proto() {
	wsc proto "$@" --url "$WS_URL" >"$T/out" 2>&1 ||
	    fail "$1: $(cat "$T/out")"
}

test_fragmented_message_is_reassembled() { proto fragmented; }
test_client_ping_is_answered() { proto ping; }
test_bad_json_and_unknown_op_get_error_replies() { proto badjson; }
test_clean_close_handshake() { proto close; }
test_invalid_utf8_closes_1007() { proto utf8; }
test_binary_message_closes_1003() { proto binary; }
test_unmasked_frame_closes_1002() { proto unmasked; }
test_oversize_message_closes_1009() { proto oversize --size 5000; }
test_subscription_limit_refused_with_reason() { proto sublimit --size 8; }

test_fragmented_message_is_reassembled
test_client_ping_is_answered
test_bad_json_and_unknown_op_get_error_replies
test_clean_close_handshake
test_invalid_utf8_closes_1007
test_binary_message_closes_1003
test_unmasked_frame_closes_1002
test_oversize_message_closes_1009
test_subscription_limit_refused_with_reason

for c in 1002 1003 1007 1009; do
	n=$(metric "wsgate_close_frames_total{code=\"$c\"}")
	assert_eq "close frames $c counted" 1 "$n"
done
assert_eq "subscription limit counted" 1 \
    "$(metric wsgate_subscription_limit_total)"
stop_wsgate
