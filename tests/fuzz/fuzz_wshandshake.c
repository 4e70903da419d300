/*
 * fuzz_wshandshake.c: libFuzzer target for the server side of wsgate's
 * WebSocket opening handshake (wsgate/upgrade.c, on heads parsed by
 * wsgate/httphead.c).  A head upgrade_check takes must be what RFC 6455
 * 4.2.1 asks (GET, HTTP/1.1, a 16-byte key in base64, version 13), a
 * refusal must say why with a status of its own, and the accept key must
 * be the base64 of a SHA-1 digest, the RFC's own example included.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httphead.h"
#include "upgrade.h"

static char buf[HTTPHEAD_MAX + 1];

static int
b64(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') || ch == '+' || ch == '/';
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char acc[UPGRADE_ACCEPT_LEN + 1];

	(void)argc;
	(void)argv;
	/* RFC 6455 1.3 */
	upgrade_accept("dGhlIHNhbXBsZSBub25jZQ==", acc);
	if (strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < HTTPHEAD_MAX ? size : HTTPHEAD_MAX;
	char acc[UPGRADE_ACCEPT_LEN + 2];
	const char *extra, *why, *key, *ver;
	struct httphead h;
	int s;

	memcpy(buf, data, len);
	if (httphead_parse(buf, len, &h) != HTTPHEAD_OK)
		return 0;
	if ((s = upgrade_check(&h, &extra, &why)) != 0) {
		if ((s != 400 && s != 405 && s != 426) || why == NULL)
			abort();
		if (extra != NULL && (strlen(extra) < 2 ||
		    strcmp(extra + strlen(extra) - 2, "\r\n") != 0))
			abort();
		return 0;
	}
	key = httphead_get(&h, "Sec-WebSocket-Key");
	ver = httphead_get(&h, "Sec-WebSocket-Version");
	if (strcmp(h.method, "GET") != 0 || h.minor < 1 || key == NULL ||
	    strlen(key) != 24 || ver == NULL || strcmp(ver, "13") != 0)
		abort();
	for (int i = 0; i < 22; i++)
		if (!b64((unsigned char)key[i]))
			abort();
	memset(acc, 'x', sizeof(acc));
	upgrade_accept(key, acc);
	if (acc[UPGRADE_ACCEPT_LEN] != 0 || acc[UPGRADE_ACCEPT_LEN - 1] != '=')
		abort();
	for (int i = 0; i < UPGRADE_ACCEPT_LEN - 1; i++)
		if (!b64((unsigned char)acc[i]))
			abort();
	return 0;
}
