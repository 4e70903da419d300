/*
 * https.c: HTTPS GET with evhttp; see https.h.
 *
 * The connection frees itself when its one request completes
 * (evhttp_connection_free_on_completion); a request cancelled, or past
 * its deadline, is freed with its connection at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "https.h"
#include "ws.h"

#define HTTPS_MAX_BODY	(64u << 20)
#define RETRY_AFTER_MAX	300	/* s: collector(1), binance */

struct https_req {
	https_cb		 cb;
	void			*arg;
	int			 timeout_s;
	struct evhttp_connection *conn;
	struct event		*deadline;
};

/*
 * Retry-After in seconds (RFC 9110), at most RETRY_AFTER_MAX: a venue
 * saying 2147483647 would otherwise hold its books back for 68 years.
 * -1 if absent or not digits (an HTTP date is not taken).
 */
static int
retry_after(const char *s)
{
	long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v < RETRY_AFTER_MAX)
			v = v * 10 + (*s - '0');
	}
	return v < RETRY_AFTER_MAX ? (int)v : RETRY_AFTER_MAX;
}

static void
https_done_cb(struct evhttp_request *req, void *arg)
{
	struct https_req *r = arg;
	struct evbuffer *in;
	const char *ra;
	char *body = NULL;
	size_t len = 0;
	int status = 0, retry = -1;
	char err[128] = "";

	if (r->deadline != NULL)
		event_free(r->deadline);
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		snprintf(err, sizeof(err), "request failed (connect, TLS or "
		    "timeout)");
		r->cb(0, "", 0, -1, err, r->arg);
		goto out;
	}
	status = evhttp_request_get_response_code(req);
	ra = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Retry-After");
	retry = retry_after(ra);
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = malloc(len + 1);
	if (body == NULL) {
		r->cb(0, "", 0, -1, "out of memory", r->arg);
		goto out;
	}
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	r->cb(status, body, len, retry, NULL, r->arg);
	free(body);
out:
	free(r);
}

/*
 * evhttp's timeout is for each read and write, reset by every byte: a
 * venue trickling its answer held the request, and every REST request
 * of the feed queued behind it, for as long as it pleased.  The request
 * as a whole has the same time: then it is given up and freed (without
 * its callback: evhttp_connection_free does not call it).
 */
static void
https_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct https_req *r = arg;
	char err[128];

	(void)fd;
	(void)what;
	event_free(r->deadline);
	r->deadline = NULL;
	snprintf(err, sizeof(err), "request not answered within %d s",
	    r->timeout_s);
	r->cb(0, "", 0, -1, err, r->arg);
	evhttp_connection_free(r->conn);
	free(r);
}

struct https_req *
https_get(struct event_base *base, struct evdns_base *dns, SSL_CTX *tls,
    const char *url, int timeout_s, https_cb cb, void *arg, char *err,
    size_t errlen)
{
	struct ws_url u;
	struct https_req *r;
	struct bufferevent *bev;
	struct evhttp_request *req;
	SSL *ssl;

	if (ws_url_parse(url, &u, err, errlen) != 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->cb = cb;
	r->arg = arg;
	if (u.tls) {
		ssl = ws_tls_new(tls, u.host);
		if (ssl == NULL) {
			snprintf(err, errlen, "cannot set up TLS for %s", u.host);
			goto fail;
		}
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			SSL_free(ssl);
			snprintf(err, errlen, "bufferevent_openssl failed");
			goto fail;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			snprintf(err, errlen, "bufferevent failed");
			goto fail;
		}
	}
	r->conn = evhttp_connection_base_bufferevent_new(base, dns, bev,
	    u.host, (unsigned short)u.port);
	if (r->conn == NULL) {
		bufferevent_free(bev);
		snprintf(err, errlen, "evhttp connection failed");
		goto fail;
	}
	evhttp_connection_set_timeout(r->conn, timeout_s);
	evhttp_connection_set_max_body_size(r->conn, HTTPS_MAX_BODY);
	evhttp_connection_set_retries(r->conn, 0);
	req = evhttp_request_new(https_done_cb, r);
	if (req == NULL) {
		evhttp_connection_free(r->conn);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    u.host);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "User-Agent", "tickpipe-collector");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Connection", "close");
	if (evhttp_make_request(r->conn, req, EVHTTP_REQ_GET, u.path) != 0) {
		/* evhttp_make_request frees req on failure */
		evhttp_connection_free(r->conn);
		snprintf(err, errlen, "GET %s failed", url);
		goto fail;
	}
	evhttp_connection_free_on_completion(r->conn);
	r->timeout_s = timeout_s;
	if ((r->deadline = evtimer_new(base, https_deadline_cb, r)) != NULL) {
		struct timeval tv = { timeout_s, 0 };

		evtimer_add(r->deadline, &tv);
	}
	return r;
fail:
	free(r);
	return NULL;
}

/*
 * https_cancel: the request and its connection are freed now
 * (evhttp_connection_free calls no callback): one left to finish by
 * itself held a trickling venue's connection until the deadline, and
 * leaked at exit.
 */
void
https_cancel(struct https_req *r)
{
	if (r == NULL)
		return;
	if (r->deadline != NULL)
		event_free(r->deadline);
	evhttp_connection_free(r->conn);
	free(r);
}
