/*
 * upgrade.c: the protocol half of the WebSocket opening handshake
 * (RFC 6455 4.2.1, 4.2.2).  Pure: it reads a parsed head and computes a
 * key; the policy half (Origin, token, client limit) is http.c's.
 */
#include <string.h>

#include "upgrade.h"
#include "wskey.h"

/*
 * upgrade_check: is h a version 13 WebSocket upgrade (GET, HTTP/1.1,
 * "Upgrade: websocket", "Connection: upgrade", a Sec-WebSocket-Key of 16
 * bytes in base64)?  Returns 0, or the HTTP status to refuse it with,
 * *why, and in *extra the header lines the refusal must carry (each
 * ending in CRLF) or NULL.
 */
int
upgrade_check(const struct httphead *h, const char **extra, const char **why)
{
	const char *key = httphead_get(h, "Sec-WebSocket-Key");
	const char *ver = httphead_get(h, "Sec-WebSocket-Version");

	*extra = NULL;
	if (strcmp(h->method, "GET") != 0) {
		*extra = "Allow: GET\r\n";
		*why = "WebSocket needs GET";
		return 405;
	}
	if (!httphead_has_token(httphead_get(h, "Upgrade"), "websocket") ||
	    !httphead_has_token(httphead_get(h, "Connection"), "upgrade")) {
		/* Connection: http_resp_head's, one field */
		*extra = "Upgrade: websocket\r\n";
		*why = "expected a WebSocket upgrade";
		return 426;
	}
	if (h->minor < 1) {
		*why = "WebSocket needs HTTP/1.1";
		return 400;
	}
	if (ver == NULL || strcmp(ver, "13") != 0) {
		*extra = "Upgrade: websocket\r\n"
		    "Sec-WebSocket-Version: 13\r\n";
		*why = "only WebSocket version 13";
		return 426;
	}
	if (key == NULL || !wskey_valid(key)) {
		*why = "bad Sec-WebSocket-Key";
		return 400;
	}
	return 0;
}

/*
 * upgrade_accept: the Sec-WebSocket-Accept for key, NUL-terminated into
 * acc (wskey_accept).  key is one that upgrade_check took.
 */
void
upgrade_accept(const char *key, char acc[UPGRADE_ACCEPT_LEN + 1])
{
	(void)wskey_accept(key, acc);
}
