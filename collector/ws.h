/*
 * ws.h: a WebSocket client over TLS for the live feeds: libevent
 * bufferevents (bufferevent_openssl for wss://), wslay for the framing
 * (client masking, ping/pong, close), the RFC 6455 handshake done here.
 * Certificates are verified against the system store (or --ca-file) with
 * host name or IP checks; SNI is sent for host names.
 *
 * Also the pieces https.c shares: URL parsing and the TLS context.
 */
#ifndef TP_WS_H
#define TP_WS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct event_base;
struct evdns_base;
struct ws_conn;

#define WS_HOST_MAX	256
#define WS_PATH_MAX	2048

struct ws_url {
	int	tls;			/* wss:// or https:// */
	char	host[WS_HOST_MAX];	/* without [] for IPv6 */
	int	port;
	char	path[WS_PATH_MAX];	/* path and query, "/" at least */
};

/*
 * ws_url_parse: parses ws://, wss://, http:// or https:// URLs.
 * Returns 0, or -1 with the reason in err.
 */
int	ws_url_parse(const char *url, struct ws_url *u, char *err,
	    size_t errlen);

/*
 * ws_tls_ctx_new: a client TLS context that verifies peers against
 * ca_file (PEM) if not NULL, else the system store.  Returns NULL with
 * the reason in err.
 */
SSL_CTX	*ws_tls_ctx_new(const char *ca_file, char *err, size_t errlen);

/*
 * ws_tls_new: an SSL object for one connection to host: SNI for names,
 * certificate name or IP address check.  NULL on failure.
 */
SSL	*ws_tls_new(SSL_CTX *ctx, const char *host);

/*
 * Callbacks.  open_cb: the handshake completed.  msg_cb: one complete
 * text (binary = 0) or binary message.  close_cb: the connection ended
 * (peer close, error, handshake failure), with a reason; it is called at
 * most once and the connection is freed after it returns.  Any callback
 * may call ws_close() or ws_send_text() on its connection.
 */
struct ws_cbs {
	void	(*open_cb)(struct ws_conn *, void *arg);
	void	(*msg_cb)(struct ws_conn *, const char *data, size_t len,
		    int binary, void *arg);
	void	(*close_cb)(struct ws_conn *, const char *reason, void *arg);
};

/*
 * ws_connect: starts connecting to url (ws:// or wss://).  Returns the
 * connection, or NULL with the reason in err.  The handshake must finish
 * within timeout_s seconds.
 */
struct ws_conn	*ws_connect(struct event_base *base, struct evdns_base *dns,
		    SSL_CTX *tls, const char *url, const struct ws_cbs *cbs,
		    void *arg, int timeout_s, char *err, size_t errlen);

/* ws_send_text: queues one text message.  Returns 0 or -1. */
int	ws_send_text(struct ws_conn *c, const char *s, size_t len);

/*
 * ws_close: sends a close frame if possible and frees the connection
 * (deferred if called from inside one of its callbacks); close_cb is not
 * called.
 */
void	ws_close(struct ws_conn *c);

#endif
