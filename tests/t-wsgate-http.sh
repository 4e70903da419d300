#!/bin/sh
# wsgate's HTTP side: static files from --www with their Content-Types,
# no way out of DIR, /healthz, and a proper error for every bad request
# (404, for a FIFO too, 405 400 413 414 426 431 505, 408 for a handshake
# too slow; HTTP/1.5 served as 1.1; no body for HEAD, errors too; a 426
# with Upgrade and one Connection field; an absolute-form target served
# by its path, its authority taken for Host by the Origin check), 400
# for a header that frames the request or decides the upgrade given
# twice, Content-Length with Transfer-Encoding, or a Content-Length not
# digits (00 is 0, no body); a response the client
# does not read is dropped after --handshake-timeout.  A --www that is a
# file, not a directory, is a configuration error (78), said.  With -l
# port 0, -v says the port bound.
. "$(dirname "$0")/lib.sh"
. "$TESTS/wsgate/lib.sh"

start_redis
mkdir -p "$T/www/js" "$T/outside"
printf '<!doctype html><title>t</title>\n' >"$T/www/index.html"
printf 'console.log(1);\n' >"$T/www/js/app.js"
printf 'body{}\n' >"$T/www/style.css"
printf 'secret\n' >"$T/outside/secret.txt"
printf 'hidden\n' >"$T/www/.hidden"
ln -s "$T/outside/secret.txt" "$T/www/link.txt"
mkfifo "$T/www/fifo"
start_wsgate --www "$T/www" --handshake-timeout 2

# get PATH STATUS [CONTENT-TYPE]
get() {
	out=$(wsc http "$1" --url "$HTTP_URL" | tr -d '\r') ||
	    fail "GET $1: no response"
	st=$(printf '%s\n' "$out" | head -n 1 | cut -d' ' -f2)
	assert_eq "GET $1 status" "$2" "$st"
	if [ -n "${3:-}" ]; then
		ct=$(printf '%s\n' "$out" | sed -n 's/^Content-Type: //p')
		assert_eq "GET $1 Content-Type" "$3" "$ct"
	fi
}
# raw REQUEST STATUS
raw() {
	st=$(wsc http x --raw "$1" --url "$HTTP_URL" | head -n 1 |
	    cut -d' ' -f2)
	assert_eq "request '$1'" "$2" "$st"
}

test_static_files_have_their_content_types() {
	get / 200 "text/html; charset=utf-8"
	get /index.html 200 "text/html; charset=utf-8"
	get /js/app.js 200 "text/javascript; charset=utf-8"
	get /style.css 200 "text/css; charset=utf-8"
	body=$(wsc http /js/app.js --url "$HTTP_URL" | tr -d '\r' | tail -n 1)
	assert_eq "app.js body" "console.log(1);" "$body"
	get /healthz 200 "text/plain; charset=utf-8"
}

test_nothing_outside_www_is_served() {
	raw 'GET /../outside/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n' 404
	raw 'GET /js/../../outside/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n' 404
	raw 'GET /%2e%2e/outside/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n' 404
	get /link.txt 404
	get /.hidden 404
	get /nope.html 404
	get /js/ 404
	# a FIFO is no file: 404 at once, where open(2) waited for a writer
	# with the whole loop
	st=$(timeout 5 /usr/bin/python3 "$TESTS/wsgate/wsclient.py" http /fifo \
	    --url "$HTTP_URL" | head -n 1 | cut -d' ' -f2)
	assert_eq "GET /fifo status" 404 "$st"
	get /healthz 200
}

test_bad_requests_get_proper_errors() {
	raw 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n' 405
	raw 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' 413
	# 1*DIGIT (RFC 9110): 00 is no body; 00 was 413, +0 and 0x0 413
	raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 00\r\n\r\n' 200
	raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: +0\r\n\r\n' 400
	raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0x0\r\n\r\n' 400
	raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n' 400
	raw 'GET / HTTP/2.0\r\nHost: a\r\n\r\n' 505
	raw 'GET /healthz HTTP/1.5\r\nHost: a\r\n\r\n' 200	# as 1.1
	raw 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n' 405
	raw 'GET * HTTP/1.1\r\nHost: a\r\n\r\n' 400
	# the absolute form (RFC 9112 3.2.2: a server MUST accept it) was 400
	raw 'GET http://a/healthz HTTP/1.1\r\nHost: a\r\n\r\n' 200
	raw 'HEAD HTTP://a:1/js/app.js?x HTTP/1.1\r\nHost: a\r\n\r\n' 200
	raw 'GET http://a HTTP/1.1\r\nHost: a\r\n\r\n' 200	# index.html
	raw 'GET http:///healthz HTTP/1.1\r\nHost: a\r\n\r\n' 400
	raw 'GET ftp://a/healthz HTTP/1.1\r\nHost: a\r\n\r\n' 400
	raw 'GET /  HTTP/1.1\r\nHost: a\r\n\r\n' 400
	raw 'GET / HTTP/1.1\r\n\r\n' 400
	raw 'GET / HTTP/1.1\r\nHost: a\r\nbad header\r\n\r\n' 400
	raw 'GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n' 400
	raw "GET /$(head -c 3000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: a\r\n\r\n" 414
	many=$(i=0; while [ $i -lt 70 ]; do printf 'X-%d: v\\r\\n' $i; i=$((i + 1)); done)
	raw "GET / HTTP/1.1\r\nHost: a\r\n$many\r\n" 431
	big=$(head -c 7000 /dev/zero | tr '\0' b)
	raw "GET / HTTP/1.1\r\nHost: a\r\nX-A: $big\r\nX-B: $big\r\n\r\n" 431
	raw 'GET /ws HTTP/1.1\r\nHost: a\r\n\r\n' 426
	raw 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n' 400
	raw 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' 426
	# a 426 has one Connection field, naming the upgrade, and Upgrade:
	# it had both "Connection: close" and "Connection: Upgrade"
	for req in 'GET /ws HTTP/1.1\r\nHost: a\r\n\r\n' \
	    'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'; do
		hd=$(wsc http x --raw "$req" --url "$HTTP_URL" | tr -d '\r' |
		    sed '/^$/q')
		assert_eq "426 Connection fields" "Connection: Upgrade, close" \
		    "$(printf '%s\n' "$hd" | grep -i '^Connection:')"
		assert_eq "426 Upgrade field" "Upgrade: websocket" \
		    "$(printf '%s\n' "$hd" | grep -i '^Upgrade:')"
	done
}

test_repeated_framing_headers_get_400() {
	h='Host: a\r\n'
	up='Upgrade: websocket\r\nConnection: Upgrade\r\n'
	ver='Sec-WebSocket-Version: 13\r\n'
	key='Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
	ws="GET /ws HTTP/1.1\r\n"
	# the upgrade itself is fine without the repeats
	wsc status --url "$WS_URL" --expect 101 >/dev/null 2>&1 ||
	    fail "a plain upgrade is refused"
	raw "$ws$h${up}${ver}${key}Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello" 400
	raw "GET / HTTP/1.1\r\n${h}Content-Length: 0\r\nContent-Length: 0\r\n\r\n" 400
	raw "GET / HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n" 400
	raw "GET / HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" 400
	raw "$ws$h$h${up}${ver}${key}\r\n" 400
	raw "GET / HTTP/1.0\r\n$h$h\r\n" 400
	raw "$ws$h${up}Upgrade: websocket\r\n${ver}${key}\r\n" 400
	raw "$ws$h${up}Connection: Upgrade\r\n${ver}${key}\r\n" 400
	raw "$ws$h${up}${ver}${ver}${key}\r\n" 400
	raw "$ws$h${up}${ver}${key}${key}\r\n" 400
	raw "$ws$h${up}${ver}${key}Origin: http://a\r\nOrigin: http://b\r\n\r\n" 400
	# an absolute-form target's authority stands for Host in the
	# same-origin check (RFC 9112 3.2.2)
	abs="GET http://b:1/ws HTTP/1.1\r\n$h${up}${ver}${key}"
	raw "${abs}Origin: http://a\r\n\r\n" 403
	st=$(/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
d = b""
while b"\r\n" not in d:
    b = s.recv(4096)
    if not b:
        break
    d += b
print(d.split(b"\r\n")[0].decode())' "$WS_PORT" "${abs}Origin: http://b:1\r\n\r\n")
	assert_eq "absolute form, Origin its authority" "HTTP/1.1 101 Switching Protocols" "$st"
}

test_incomplete_request_times_out_408() {
	raw 'GET / HTTP/1.1\r\nHost: a\r\n' 408
	n=$(metric wsgate_handshake_timeouts_total)
	assert_eq "handshake timeouts counted" 1 "$n"
}

test_head_gets_headers_only() {
	out=$(wsc http / --method HEAD --url "$HTTP_URL" | tr -d '\r')
	printf '%s\n' "$out" | grep -q '^HTTP/1.1 200' || fail "HEAD: $out"
	printf '%s\n' "$out" | grep -q 'doctype' && fail "HEAD sent a body"
	# an error too: its body was sent (RFC 9110: none for HEAD)
	out=$(wsc http /no-such-file --method HEAD --url "$HTTP_URL" |
	    tr -d '\r')
	printf '%s\n' "$out" | grep -q '^HTTP/1.1 404' || fail "HEAD 404: $out"
	printf '%s\n' "$out" | grep -q '404 Not Found:' &&
	    fail "HEAD 404 sent a body: $out"
	# and every other error, of /ws or found parsing the head: HEAD
	# /ws had its 405's text sent, 413 400 505 431 theirs; and the 408
	# of a head not complete within --handshake-timeout (2 s here)
	big=$(head -c 9000 /dev/zero | tr '\0' b)
	for req in 'HEAD /ws HTTP/1.1\r\nHost: a\r\n\r\n 405' \
	    'HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n 413' \
	    'HEAD / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n 400' \
	    'HEAD / HTTP/1.1\r\n\r\n 400' \
	    'HEAD / HTTP/2.0\r\nHost: a\r\n\r\n 505' \
	    "HEAD / HTTP/1.1\r\nHost: a\r\nX-A: $big\r\n\r\n 431" \
	    'HEAD / HTTP/1.1\r\nHost: a\r\n 408'; do
		wsc http x --raw "${req% *}" --url "$HTTP_URL" >"$T/head" ||
		    fail "HEAD ${req% *}: no response"
		st=$(head -n 1 "$T/head" | cut -d' ' -f2)
		assert_eq "HEAD ${req%%\\r*} status" "${req##* }" "$st"
		body=$(tr -d '\r' <"$T/head" | sed '1,/^$/d')
		assert_eq "HEAD ${req%%\\r*} (${req##* }) body" "" "$body"
	done
}

# a client that asks for a large file and never reads it: its response
# is dropped with the connection once it has taken none of it for
# --handshake-timeout (2 s here); it held the connection and the whole
# file for as long as the client wanted
test_response_not_read_is_dropped() {
	head -c 16000000 /dev/zero >"$T/www/big.bin"
	n0=$(metric wsgate_connections)
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
time.sleep(60)' "$WS_PORT" &
	track $!
	wait_for 10 metric_is wsgate_connections $((n0 + 1)) ||
	    fail "the reader-less client not connected"
	wait_for 10 metric_is wsgate_connections "$n0" ||
	    fail "a response nobody reads holds its connection"
	rm "$T/www/big.bin"
}

test_static_files_have_their_content_types
test_nothing_outside_www_is_served
test_bad_requests_get_proper_errors
test_repeated_framing_headers_get_400
test_incomplete_request_times_out_408
test_head_gets_headers_only
test_response_not_read_is_dropped
stop_wsgate
"$BIN/wsgate" -l 127.0.0.1:0 -u "$REDIS_URL" --www "$T/www/index.html" \
    2>"$T/www.err"
assert_eq "wsgate --www FILE" 78 "$?"
grep -q "www/index.html: not a directory" "$T/www.err" ||
    fail "--www FILE not said: $(cat "$T/www.err")"

# -l with port 0: -v says the port the kernel gave (it said 0), and it
# serves there
"$BIN/wsgate" -v -l 127.0.0.1:0 -u "$REDIS_URL" 2>"$T/zero.err" &
zp=$!
track $zp
wait_for 10 grep -q "listening on" "$T/zero.err" || fail "-l :0: $(cat "$T/zero.err")"
zport=$(sed -n 's/^wsgate: listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$T/zero.err")
[ -n "$zport" ] && [ "$zport" != 0 ] || fail "-l :0: $(cat "$T/zero.err")"
st=$(wsc http /healthz --url "http://127.0.0.1:$zport" | head -n 1 | cut -d' ' -f2)
assert_eq "-l :0: /healthz on the port said" 200 "$st"
kill "$zp"
wait "$zp"
