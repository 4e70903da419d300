#!/bin/sh
# "max_hz" on a subscribe is an integer from 1 to 1000, for channels
# and patterns alike:
# anything else (0, 1001, a string, a fraction) is
# answered with an error frame and subscribes nothing, and the
# connection goes on; 1 and 1000 subscribe.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
start_wsgate
sub() { printf '{"op":"subscribe","channels":["%s"],"max_hz":%s}' "$1" "$2"; }
got=$(cfl ask --url "$WS_URL" "$(sub md.a.b.book 0)" \
    "$(sub md.a.b.book 1001)" "$(sub md.a.b.book '"10"')" \
    "$(sub md.a.b.book 1.5)" "$(sub md.a.b.book null)" \
    "$(sub 'md.*.b.book' 10)" "$(sub md.a.b.book 1)" \
    "$(sub md.a.b.trade 1000)" '{"op":"ping"}') || fail "client failed"
want='error "max_hz" must be an integer from 1 to 1000
error "max_hz" must be an integer from 1 to 1000
error "max_hz" must be an integer from 1 to 1000
error "max_hz" must be an integer from 1 to 1000
error "max_hz" must be an integer from 1 to 1000
subscribed md.*.b.book
subscribed md.a.b.book
subscribed md.a.b.trade
pong '
assert_eq "replies" "$want" "$got"
stop_wsgate
