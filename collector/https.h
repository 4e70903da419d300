/*
 * https.h: one HTTPS GET at a time, for the REST order book snapshots some
 * venues need (Binance).  libevent's evhttp over a bufferevent_openssl,
 * verified like the WebSocket connections (ws.h).
 */
#ifndef TP_HTTPS_H
#define TP_HTTPS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct event_base;
struct evdns_base;
struct https_req;

/*
 * Called once per request: status is the HTTP status (0 if the request
 * failed, with the reason in err), body[0..len) the response body (NUL
 * terminated), retry_after the Retry-After header in seconds (-1 if
 * none).  The request is freed after the callback returns.
 */
typedef void (*https_cb)(int status, const char *body, size_t len,
    int retry_after, const char *err, void *arg);

/*
 * https_get: starts GET url (https:// or http://) with a timeout.
 * Returns a handle, or NULL with the reason in err.
 */
struct https_req	*https_get(struct event_base *base,
			    struct evdns_base *dns, SSL_CTX *tls,
			    const char *url, int timeout_s, https_cb cb,
			    void *arg, char *err, size_t errlen);

/* https_cancel: the request and its connection are freed; no callback. */
void	https_cancel(struct https_req *r);

#endif
