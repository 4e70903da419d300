/*
 * wskey.c: Sec-WebSocket-Key and Sec-WebSocket-Accept; see wskey.h.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

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
