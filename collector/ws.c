/*
 * ws.c: WebSocket client on libevent bufferevents and wslay; see ws.h.
 *
 * Life of a connection: TCP (+TLS) connect, HTTP/1.1 upgrade request,
 * wait for "101" with the right Sec-WebSocket-Accept, then every read
 * event feeds wslay_event_recv() and every queued frame goes out through
 * wslay_event_send() into the bufferevent's output buffer (which never
 * blocks, so the send callback always takes everything).
 * Freeing from inside a callback is deferred until the outermost callback
 * returns (c->depth), as hiredis does.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <wslay/wslay.h>

#include "util.h"
#include "ws.h"
#include "wskey.h"

#define WS_MAX_MSG	(64u << 20)	/* longest message; Coinbase books: 5 MB */
#define WS_MAX_HDR	16384		/* longest handshake response */
#define WS_CLOSE_REASON_MAX	123	/* a close frame's 125 less the code */
#define WS_CLOSE_REASON_SAID	64	/* of it in a disconnect reason */

enum ws_state { WS_CONNECTING, WS_HANDSHAKE, WS_OPEN, WS_DEAD };

struct ws_conn {
	struct bufferevent	*bev;
	wslay_event_context_ptr	 wslay;
	struct ws_cbs		 cbs;
	void			*arg;
	enum ws_state		 state;
	int			 depth;		/* callbacks on the stack */
	int			 freeing;	/* free when depth drops to 0 */
	char			 accept[WSKEY_ACCEPT_LEN + 1]; /* expected */
	struct ws_url		 url;
	struct event		*deadline;	/* connect to open, at most */
	/* the reason text of the venue's close frame (at most 123 bytes) */
	char			 close_reason[WS_CLOSE_REASON_MAX];
	size_t			 close_reason_len;
};

int
ws_url_parse(const char *url, struct ws_url *u, char *err, size_t errlen)
{
	const char *p, *hs, *he, *ps;
	size_t hl;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "wss://", 6) == 0) {
		u->tls = 1;
		u->port = 443;
		p = url + 6;
	} else if (strncmp(url, "https://", 8) == 0) {
		u->tls = 1;
		u->port = 443;
		p = url + 8;
	} else if (strncmp(url, "ws://", 5) == 0) {
		u->port = 80;
		p = url + 5;
	} else if (strncmp(url, "http://", 7) == 0) {
		u->port = 80;
		p = url + 7;
	} else {
		snprintf(err, errlen, "%s: not a ws://, wss://, http:// or "
		    "https:// URL", url);
		return -1;
	}
	if (*p == '[') {
		hs = p + 1;
		he = strchr(hs, ']');
		if (he == NULL)
			goto bad;
		ps = he + 1;
	} else {
		hs = p;
		he = hs + strcspn(hs, ":/?");
		ps = he;
	}
	hl = (size_t)(he - hs);
	if (hl == 0 || hl >= sizeof(u->host))
		goto bad;
	memcpy(u->host, hs, hl);
	if (*ps == ':') {
		char *end;
		long port = strtol(ps + 1, &end, 10);

		if (end == ps + 1 || port < 1 || port > 65535)
			goto bad;
		u->port = (int)port;
		ps = end;
	}
	if (*ps == '\0')
		snprintf(u->path, sizeof(u->path), "/");
	else if (*ps == '/')
		snprintf(u->path, sizeof(u->path), "%s", ps);
	else if (*ps == '?')
		snprintf(u->path, sizeof(u->path), "/%s", ps);
	else
		goto bad;
	if (strlen(ps) + 2 > sizeof(u->path))
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "%s: bad URL", url);
	return -1;
}

SSL_CTX *
ws_tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int ok;

	if (ctx == NULL) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (ca_file != NULL)
		ok = SSL_CTX_load_verify_locations(ctx, ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		const char *why = ERR_reason_error_string(ERR_get_error());

		/* a file that cannot be read leaves OpenSSL no reason */
		if (ca_file != NULL && access(ca_file, R_OK) != 0)
			why = strerror(errno);
		snprintf(err, errlen, "%s: cannot load CA certificates: %s",
		    ca_file ? ca_file : "system store",
		    why != NULL ? why : "no reason given");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
host_is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

SSL *
ws_tls_new(SSL_CTX *ctx, const char *host)
{
	SSL *ssl = SSL_new(ctx);
	int ok;

	if (ssl == NULL)
		return NULL;
	if (host_is_ip(host)) {
		/* RFC 6066: no SNI for address literals */
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		ok = SSL_set_tlsext_host_name(ssl, host) == 1 &&
		    SSL_set1_host(ssl, host) == 1;
	}
	if (!ok) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

static void
ws_free(struct ws_conn *c)
{
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->wslay != NULL)
		wslay_event_context_free(c->wslay);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	free(c);
}

/* Leaves a callback scope; frees the connection if that was asked. */
static int
ws_leave(struct ws_conn *c)
{
	if (--c->depth == 0 && c->freeing) {
		ws_free(c);
		return 1;
	}
	return 0;
}

/* The connection failed or ended: tell the owner once, then free. */
static void
ws_fail(struct ws_conn *c, const char *reason)
{
	if (c->state == WS_DEAD || c->freeing)
		return;
	c->state = WS_DEAD;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	c->depth++;
	if (c->cbs.close_cb != NULL)
		c->cbs.close_cb(c, reason, c->arg);
	c->freeing = 1;
	ws_leave(c);
}

void
ws_close(struct ws_conn *c)
{
	if (c == NULL || c->freeing)
		return;
	if (c->state == WS_OPEN) {
		/* best effort: the frame goes out only if the socket takes it */
		wslay_event_queue_close(c->wslay, WSLAY_CODE_NORMAL_CLOSURE,
		    NULL, 0);
		wslay_event_send(c->wslay);
	}
	c->state = WS_DEAD;
	c->freeing = 1;
	if (c->depth == 0)
		ws_free(c);
}

static ssize_t
wsl_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *user)
{
	struct ws_conn *c = user;
	size_t n = evbuffer_remove(bufferevent_get_input(c->bev), buf, len);

	(void)flags;
	if (n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return (ssize_t)n;
}

static ssize_t
wsl_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user)
{
	struct ws_conn *c = user;

	(void)flags;
	if (evbuffer_add(bufferevent_get_output(c->bev), data, len) != 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)len;
}

static int
wsl_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    void *user)
{
	(void)user;
	if (RAND_bytes(buf, (int)len) != 1) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return 0;
}

static void
wsl_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a,
    void *user)
{
	struct ws_conn *c = user;

	(void)ctx;
	if (c->freeing || c->state != WS_OPEN)
		return;
	if (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME) {
		if (c->cbs.msg_cb != NULL)
			c->cbs.msg_cb(c, (const char *)a->msg, a->msg_length,
			    a->opcode == WSLAY_BINARY_FRAME, c->arg);
	} else if (a->opcode == WSLAY_CONNECTION_CLOSE && a->msg_length > 2) {
		/* the venue's reason after the code, kept for ws_pump to say
		   (maintenance, a rate limit, a bad request): it was lost */
		c->close_reason_len = a->msg_length - 2;
		if (c->close_reason_len > sizeof(c->close_reason))
			c->close_reason_len = sizeof(c->close_reason);
		memcpy(c->close_reason, a->msg + 2, c->close_reason_len);
	}
	/* pings are answered by wslay; a close is answered and ends below */
}

/* Drives wslay after input arrived or frames were queued. */
static void
ws_pump(struct ws_conn *c)
{
	char why[64 + WS_CLOSE_REASON_SAID * 4 + 4];

	if (wslay_event_recv(c->wslay) != 0) {
		ws_fail(c, "WebSocket protocol error");
		return;
	}
	if (c->freeing)
		return;
	if (wslay_event_send(c->wslay) != 0) {
		ws_fail(c, "WebSocket send error");
		return;
	}
	/*
	 * A close sent while open, and none received, is wslay's answer to
	 * what the venue sent: a message past WS_MAX_MSG (1009), a frame
	 * against RFC 6455 (1002: reserved bits or opcodes, a continuation
	 * out of place, a bad close code) or text that is not UTF-8 (1007).
	 * wslay reads no more after it: waiting for the venue's close, or
	 * for the watchdog, left the feed dead without a word.
	 */
	if (wslay_event_get_close_sent(c->wslay) &&
	    !wslay_event_get_close_received(c->wslay)) {
		unsigned code = wslay_event_get_status_code_sent(c->wslay);

		if (code == WSLAY_CODE_MESSAGE_TOO_BIG)
			snprintf(why, sizeof(why), "a message longer than %u "
			    "MiB refused (closed with 1009)", WS_MAX_MSG >> 20);
		else
			snprintf(why, sizeof(why), "WebSocket protocol error "
			    "(%s, closed with %u)", code == 1007 ?
			    "text not UTF-8" : "a frame against RFC 6455",
			    code);
		ws_fail(c, why);
		return;
	}
	if (wslay_event_get_close_received(c->wslay) &&
	    !wslay_event_want_write(c->wslay)) {
		unsigned code = wslay_event_get_status_code_received(c->wslay);

		if (c->close_reason_len == 0) {
			snprintf(why, sizeof(why), "closed by peer (code %u)",
			    code);
		} else {
			/* printable ASCII, the first WS_CLOSE_REASON_SAID
			   bytes: the reason is the venue's text, for the
			   logs and a status record of 127 bytes */
			char ex[WS_CLOSE_REASON_SAID * 4 + 4];

			text_excerpt(c->close_reason, c->close_reason_len,
			    WS_CLOSE_REASON_SAID, ex);
			snprintf(why, sizeof(why), "closed by peer (code %u: "
			    "\"%s\")", code, ex);
		}
		ws_fail(c, why);
	}
}

/* Parses the handshake response once it is complete; 1 if done. */
static int
ws_handshake(struct ws_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr e = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	char *hdr;
	size_t hl;
	char why[160];
	static const struct wslay_event_callbacks wcb = {
		wsl_recv_cb, wsl_send_cb, wsl_genmask_cb, NULL, NULL, NULL,
		wsl_msg_cb
	};

	if (e.pos < 0) {
		if (evbuffer_get_length(in) > WS_MAX_HDR)
			ws_fail(c, "handshake response too long");
		return 0;
	}
	hl = (size_t)e.pos + 4;
	hdr = malloc(hl);
	if (hdr == NULL) {
		ws_fail(c, "out of memory");
		return 0;
	}
	evbuffer_remove(in, hdr, hl);
	if (wskey_response(hdr, hl, c->accept, why + 11,
	    sizeof(why) - 11) != 0) {
		memcpy(why, "handshake: ", 11);
		free(hdr);
		ws_fail(c, why);
		return 0;
	}
	free(hdr);
	if (wslay_event_context_client_init(&c->wslay, &wcb, c) != 0) {
		ws_fail(c, "wslay init failed");
		return 0;
	}
	wslay_event_config_set_max_recv_msg_length(c->wslay, WS_MAX_MSG);
	c->state = WS_OPEN;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	evtimer_del(c->deadline);
	if (c->cbs.open_cb != NULL)
		c->cbs.open_cb(c, c->arg);
	return !c->freeing;
}

static void
ws_read_cb(struct bufferevent *bev, void *arg)
{
	struct ws_conn *c = arg;

	(void)bev;
	c->depth++;
	if (c->state == WS_HANDSHAKE && !ws_handshake(c))
		goto out;
	if (c->state == WS_OPEN && !c->freeing)
		ws_pump(c);
out:
	ws_leave(c);
}

static void
ws_send_request(struct ws_conn *c)
{
	char key64[WSKEY_LEN + 1];
	char hostport[WS_HOST_MAX + 16];
	int dflt = c->url.port == (c->url.tls ? 443 : 80);

	if (wskey_new(key64) < 0) {
		ws_fail(c, "no random bytes for the WebSocket key");
		return;
	}
	wskey_accept(key64, c->accept);
	if (strchr(c->url.host, ':') != NULL)
		snprintf(hostport, sizeof(hostport), "[%s]", c->url.host);
	else
		snprintf(hostport, sizeof(hostport), "%s", c->url.host);
	if (!dflt)
		snprintf(hostport + strlen(hostport),
		    sizeof(hostport) - strlen(hostport), ":%d", c->url.port);
	evbuffer_add_printf(bufferevent_get_output(c->bev),
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "User-Agent: tickpipe-collector\r\n"
	    "\r\n", c->url.path, hostport, key64);
	c->state = WS_HANDSHAKE;
}

static void
ws_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ws_conn *c = arg;
	char why[400];
	unsigned long e;

	c->depth++;
	if (what & BEV_EVENT_CONNECTED) {
		ws_send_request(c);
		goto out;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		ws_fail(c, "timeout during connect or handshake");
		goto out;
	}
	if (what & BEV_EVENT_EOF) {
		/* let wslay see what is left (a close frame, say) first */
		if (c->state == WS_OPEN)
			ws_pump(c);
		ws_fail(c, c->state == WS_OPEN ? "connection closed by peer" :
		    "connection closed during handshake");
		goto out;
	}
	if (what & BEV_EVENT_ERROR) {
		e = bufferevent_get_openssl_error(bev);
		if (e != 0) {
			snprintf(why, sizeof(why), "TLS: %s",
			    ERR_reason_error_string(e));
			if (ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
				SSL *ssl = bufferevent_openssl_get_ssl(bev);
				long vr = ssl ? SSL_get_verify_result(ssl) : 0;

				snprintf(why + strlen(why),
				    sizeof(why) - strlen(why), ": %s",
				    X509_verify_cert_error_string(vr));
			}
		} else if (bufferevent_socket_get_dns_error(bev) != 0) {
			snprintf(why, sizeof(why), "resolve %s: %s",
			    c->url.host, evutil_gai_strerror(
			    bufferevent_socket_get_dns_error(bev)));
		} else {
			snprintf(why, sizeof(why), "%s",
			    evutil_socket_error_to_string(
			    EVUTIL_SOCKET_ERROR()));
		}
		ws_fail(c, why);
	}
out:
	ws_leave(c);
}

/*
 * The bufferevent's timeouts are reset by every byte: a server that
 * trickles its handshake response (or TLS) a byte at a time would hold
 * an attempt for hours, and the watchdog only looks at connections
 * open.  So the whole of connect, TLS and handshake has a deadline too.
 */
static void
ws_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn *c = arg;

	(void)fd;
	(void)what;
	c->depth++;
	if (c->state != WS_OPEN)
		ws_fail(c, "timeout during connect or handshake");
	ws_leave(c);
}

struct ws_conn *
ws_connect(struct event_base *base, struct evdns_base *dns, SSL_CTX *tls,
    const char *url, const struct ws_cbs *cbs, void *arg, int timeout_s,
    char *err, size_t errlen)
{
	struct ws_conn *c;
	struct timeval tv = { timeout_s, 0 };
	SSL *ssl = NULL;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ws_url_parse(url, &c->url, err, errlen) != 0)
		goto fail;
	c->cbs = *cbs;
	c->arg = arg;
	if (c->url.tls) {
		ssl = ws_tls_new(tls, c->url.host);
		if (ssl == NULL) {
			snprintf(err, errlen, "cannot set up TLS for %s",
			    c->url.host);
			goto fail;
		}
		c->bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			SSL_free(ssl);
			snprintf(err, errlen, "bufferevent_openssl failed");
			goto fail;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			snprintf(err, errlen, "bufferevent failed");
			goto fail;
		}
	}
	bufferevent_setcb(c->bev, ws_read_cb, NULL, ws_event_cb, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	if ((c->deadline = evtimer_new(base, ws_deadline_cb, c)) == NULL ||
	    evtimer_add(c->deadline, &tv) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->state = WS_CONNECTING;
	if (bufferevent_socket_connect_hostname(c->bev, dns, AF_UNSPEC,
	    c->url.host, c->url.port) != 0) {
		snprintf(err, errlen, "connect %s:%d failed", c->url.host,
		    c->url.port);
		goto fail;
	}
	return c;
fail:
	ws_free(c);
	return NULL;
}

int
ws_send_text(struct ws_conn *c, const char *s, size_t len)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)s, len };

	if (c == NULL || c->state != WS_OPEN || c->freeing)
		return -1;
	if (wslay_event_queue_msg(c->wslay, &m) != 0)
		return -1;
	if (wslay_event_send(c->wslay) != 0)
		return -1;
	return 0;
}
