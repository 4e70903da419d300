/*
 * fuzz_wsclient.c: libFuzzer target for the client side of the WebSocket
 * opening handshake (common/wskey.c wskey_response), which the collector
 * uses on every venue's answer.  It must read nothing past the head it is
 * given, and a head it takes must start "HTTP/1.1 101" and carry the
 * expected Sec-WebSocket-Accept and the Upgrade and Connection tokens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wskey.h"

#define ACC	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* strncasestr over h[0..n) for the NUL-free needle t */
static int
has(const char *h, size_t n, const char *t)
{
	size_t k = strlen(t);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(h + i, t, k) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any read past the end */
	char *h = malloc(size > 0 ? size : 1), why[128];

	if (h == NULL)
		return 0;
	memcpy(h, data, size);
	if (wskey_response(h, size, ACC, why, sizeof(why)) == 0) {
		if (size < 12 || memcmp(h, "HTTP/1.1 101", 12) != 0 ||
		    !has(h, size, ACC) || !has(h, size, "websocket") ||
		    !has(h, size, "upgrade"))
			abort();
	} else if (why[0] == '\0' || memchr(why, '\0', sizeof(why)) == NULL) {
		abort();
	}
	free(h);
	return 0;
}
