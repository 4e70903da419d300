/*
 * wskey.h: the keys of the WebSocket opening handshake (RFC 6455 1.3,
 * 4.1, 4.2): the client sends a random Sec-WebSocket-Key, the server
 * answers with Sec-WebSocket-Accept, the base64 of the SHA-1 of the key
 * followed by the RFC's GUID, and the client checks that answer.  Both
 * sides live here, so that the collector (a client of the exchanges)
 * and wsgate (a server to browsers) compute it one way.  Uses libcrypto:
 * a program that calls these links with -lcrypto.
 */
#ifndef TP_WSKEY_H
#define TP_WSKEY_H

#define WSKEY_LEN		24	/* base64 of 16 bytes */
#define WSKEY_ACCEPT_LEN	28	/* base64 of a SHA-1 digest */

/*
 * wskey_new: a fresh key for a client's request: 16 random bytes in
 * base64, NUL-terminated.  Returns 0, or -1 if the random generator
 * failed (key is then "").
 */
int	wskey_new(char key[WSKEY_LEN + 1]);

/*
 * wskey_valid: whether key is a Sec-WebSocket-Key a server may take:
 * 16 bytes in base64, that is 22 characters of the base64 alphabet and
 * "==".
 */
int	wskey_valid(const char *key);

/*
 * wskey_accept: the Sec-WebSocket-Accept that answers key,
 * NUL-terminated into acc.  Returns 0, or -1 (acc "") for a key longer
 * than 64 bytes, which no valid key is.
 */
int	wskey_accept(const char *key, char acc[WSKEY_ACCEPT_LEN + 1]);

#endif
