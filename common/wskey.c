/*
 * wskey.c: Sec-WebSocket-Key and Sec-WebSocket-Accept; see wskey.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "util.h"
#include "wskey.h"

#define WSKEY_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int
wskey_new(char key[WSKEY_LEN + 1])
{
	unsigned char raw[16];

	key[0] = '\0';
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
	return 0;
}

/* 22 characters of the alphabet and "=="; EVP_DecodeBlock takes '=' inside */
int
wskey_valid(const char *key)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";

	return key != NULL && strlen(key) == WSKEY_LEN &&
	    strspn(key, b64) == 22 && strcmp(key + 22, "==") == 0;
}

int
wskey_accept(const char *key, char acc[WSKEY_ACCEPT_LEN + 1])
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char kg[64 + sizeof(WSKEY_GUID)];
	size_t n = strlen(key);

	acc[0] = '\0';
	if (n > 64)
		return -1;
	memcpy(kg, key, n);
	memcpy(kg + n, WSKEY_GUID, sizeof(WSKEY_GUID) - 1);
	SHA1((const unsigned char *)kg, n + sizeof(WSKEY_GUID) - 1, md);
	EVP_EncodeBlock((unsigned char *)acc, md, sizeof(md));
	return 0;
}

/* hdr_is: does line l[0..n) name header name (case-insensitive)?  Then
 * *v, *vn: its value without the blanks around it. */
static int
hdr_is(const char *l, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || l[k] != ':' || strncasecmp(l, name, k) != 0)
		return 0;
	l += k + 1;
	n -= k + 1;
	while (n > 0 && (*l == ' ' || *l == '\t'))
		l++, n--;
	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	*v = l;
	*vn = n;
	return 1;
}

/* has_token: does the comma-separated list v[0..n) hold token t? */
static int
has_token(const char *v, size_t n, const char *t)
{
	size_t k = strlen(t);

	while (n > 0) {
		const char *c = memchr(v, ',', n);
		size_t e = c != NULL ? (size_t)(c - v) : n, b = 0, f = e;

		while (b < f && (v[b] == ' ' || v[b] == '\t'))
			b++;
		while (f > b && (v[f - 1] == ' ' || v[f - 1] == '\t'))
			f--;
		if (f - b == k && strncasecmp(v + b, t, k) == 0)
			return 1;
		if (c == NULL)
			break;
		v += e + 1;
		n -= e + 1;
	}
	return 0;
}

int
wskey_response(const char *h, size_t len, const char *acc, char *why,
    size_t whylen)
{
	const char *p = h, *end = h + len, *v;
	size_t vn;
	int upgrade = 0, connection = 0, accepts = 0, good = 0, first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (nl != NULL ? (size_t)(nl - p) : (size_t)(end - p));

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL) {
			snprintf(why, whylen, "NUL byte in the response head");
			return -1;
		}
		if (first) {
			if (n < 12 || memcmp(p, "HTTP/1.1 101", 12) != 0 ||
			    (n > 12 && p[12] != ' ')) {
				char ex[40 * 4 + 4];

				/* the server's bytes, printable */
				text_excerpt(p, n, 40, ex);
				snprintf(why, whylen, "not \"HTTP/1.1 101\": "
				    "%s", ex);
				return -1;
			}
			first = 0;
		} else if (n == 0) {
			break;
		} else if (hdr_is(p, n, "Upgrade", &v, &vn)) {
			upgrade |= has_token(v, vn, "websocket");
		} else if (hdr_is(p, n, "Connection", &v, &vn)) {
			connection |= has_token(v, vn, "upgrade");
		} else if (hdr_is(p, n, "Sec-WebSocket-Accept", &v, &vn)) {
			accepts++;
			good = vn == strlen(acc) && memcmp(v, acc, vn) == 0;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (first)
		snprintf(why, whylen, "empty response");
	else if (!upgrade)
		snprintf(why, whylen, "no \"Upgrade: websocket\"");
	else if (!connection)
		snprintf(why, whylen, "no \"Connection: upgrade\"");
	else if (accepts != 1 || !good)
		snprintf(why, whylen, "bad Sec-WebSocket-Accept");
	else
		return 0;
	return -1;
}
