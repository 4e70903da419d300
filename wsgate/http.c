/*
 * http.c: wsgate's routes: / and static files from --www, /ws, /healthz,
 * /metrics (wsgate(1)).  A parsed head (httphead.c) comes in and the
 * response goes out as a struct http_resp; the WebSocket upgrade is
 * checked here, its protocol half by upgrade.c and its policy here:
 * Origin allow-list (403), token (401), client limit (503).  Nothing is
 * sent from here: the connection layer (client.c) sends and counts.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

#define STATIC_MAX		(64u << 20)

static const char *
status_text(int s)
{
	switch (s) {
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/*
 * http_error: makes r an error response: a short text body saying
 * status and why; extra: more header lines (each ending in CRLF) or
 * NULL.  Not sent for HEAD (the caller sets head: http_route, and
 * client.c for a head refused by the parser).
 */
void
http_error(struct http_resp *r, int status, const char *extra,
    const char *why)
{
	int n = snprintf(r->text, sizeof(r->text), "%d %s: %s\n", status,
	    status_text(status), why);

	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	r->extra = extra;
	r->why = why;
	r->body = r->text;
	r->len = n > 0 ? (size_t)n : 0;
	r->head = 0;
}

/*
 * http_resp_head: the status line and headers of r into buf.  Returns
 * their length, or 0 if they do not fit.  A 426 names the upgrade in
 * its one Connection field (RFC 9110 15.5.22, 7.6.1), its extra the
 * Upgrade.
 */
size_t
http_resp_head(const struct http_resp *r, char *buf, size_t size)
{
	int n;

	if (r->status == 101)
		n = snprintf(buf, size, "HTTP/1.1 101 Switching Protocols\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n", r->accept);
	else
		n = snprintf(buf, size, "HTTP/1.1 %d %s\r\n"
		    "Server: wsgate\r\n"
		    "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "Cache-Control: no-cache\r\n"
		    "Connection: %sclose\r\n%s\r\n",
		    r->status, status_text(r->status), r->ctype, r->len,
		    r->status == 426 ? "Upgrade, " : "",
		    r->extra ? r->extra : "");
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->owned);
	r->owned = NULL;
	r->body = NULL;
}

/* --- static files --- */

static const char *
mime_type(const char *path)
{
	static const struct { const char *ext, *type; } t[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".map", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".ico", "image/x-icon" },
		{ ".webp", "image/webp" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".wasm", "application/wasm" },
		{ ".woff2", "font/woff2" },
		{ ".woff", "font/woff" },
	};
	const char *dot = strrchr(path, '.');

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (strcasecmp(dot, t[i].ext) == 0)
				return t[i].type;
	return "application/octet-stream";
}

/* http_busy: 503, to be asked again in 5 s (wsgate is short of something) */
static void
http_busy(struct http_resp *r, const char *why)
{
	http_error(r, 503, "Retry-After: 5\r\n", why);
}

/*
 * serve_static: path is the request path.  Only [A-Za-z0-9._~/-] are
 * accepted, no segment may start with '.', and the resolved file must
 * lie under realpath(--www) (symlinks out of it are refused), so nothing
 * outside DIR is reachable.
 */
static void
serve_static(const struct wsgate_conf *conf, const char *path,
    struct http_resp *r)
{
	char rel[1024], *real = NULL, *buf = NULL;
	struct stat sb;
	size_t wl;
	int fd = -1;

	if (conf->www_real == NULL) {
		http_error(r, 404, NULL, "no --www directory");
		return;
	}
	for (const char *p = path; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._~/-", *p)) {
			http_error(r, 404, NULL, "no such file");
			return;
		}
	if (strstr(path, "/.") != NULL || strstr(path, "//") != NULL ||
	    strlen(path) > 512) {
		http_error(r, 404, NULL, "no such file");
		return;
	}
	snprintf(rel, sizeof(rel), "%s%s%s", conf->www_real, path,
	    path[strlen(path) - 1] == '/' ? "index.html" : "");
	if ((real = realpath(rel, NULL)) == NULL) {
		if (errno == ENOMEM || errno == EMFILE || errno == ENFILE)
			http_busy(r, strerror(errno));	/* not a file */
		else
			http_error(r, 404, NULL, "no such file");
		return;
	}
	wl = strlen(conf->www_real);
	if (strncmp(real, conf->www_real, wl) != 0 || real[wl] != '/') {
		free(real);
		http_error(r, 404, NULL, "no such file");
		return;
	}
	/* O_NONBLOCK: a FIFO there must not block the loop in open(2)
	   (it is then no regular file, 404) */
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
	    errno == ENOMEM)) {
		/* the file is there: we are short of descriptors */
		const char *why = strerror(errno);

		free(real);
		http_busy(r, why);
		return;
	}
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(real);
		http_error(r, 404, NULL, "no such file");
		return;
	}
	if ((uint64_t)sb.st_size > STATIC_MAX) {
		close(fd);
		free(real);
		http_error(r, 500, NULL, "file too large");
		return;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		free(real);
		http_busy(r, "out of memory");
		return;
	}
	size_t got = 0;

	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	r->status = 200;
	r->ctype = mime_type(real);
	r->body = r->owned = buf;
	r->len = got;
	free(real);
}

/* Constant-time comparison, for tokens. */
static int
secret_eq(const char *a, const char *b, size_t blen)
{
	size_t al = strlen(a);
	unsigned char d = al != blen;

	for (size_t i = 0; i < blen; i++)
		d |= (unsigned char)(a[i < al ? i : 0] ^ b[i]);
	return d == 0;
}

static int
token_ok(const struct wsgate_conf *conf, const struct httphead *h)
{
	const char *t = conf->token, *a;
	size_t tl = strlen(t);

	if ((a = httphead_get(h, "Authorization")) != NULL &&
	    strncasecmp(a, "Bearer ", 7) == 0 &&
	    secret_eq(a + 7, t, tl))
		return 1;
	for (const char *q = h->query; q != NULL && *q; ) {
		const char *e = strchr(q, '&');
		size_t n = e ? (size_t)(e - q) : strlen(q);

		if (n > 6 && strncmp(q, "token=", 6) == 0) {
			char v[512];

			if (n - 6 < sizeof(v)) {
				memcpy(v, q + 6, n - 6);
				v[n - 6] = 0;
				if (secret_eq(v, t, tl))
					return 1;
			}
		}
		q = e ? e + 1 : NULL;
	}
	return 0;
}

/*
 * origin_ok: with --origin, the Origin header must be one of the list
 * (or the list holds "*").  Without it, a browser Origin must name the
 * same host:port as the Host header, or as the authority of an
 * absolute-form target, which stands for Host (RFC 9112 3.2.2).
 * Requests with no Origin (not from a browser) are accepted either way.
 */
static int
origin_ok(const struct wsgate_conf *conf, const struct httphead *hd)
{
	const char *o = httphead_get(hd, "Origin"), *host, *h;

	if (o == NULL)
		return 1;
	if (conf->norigins > 0) {
		for (size_t i = 0; i < conf->norigins; i++)
			if (strcmp(conf->origins[i], "*") == 0 ||
			    strcasecmp(conf->origins[i], o) == 0)
				return 1;
		return 0;
	}
	if ((h = strstr(o, "://")) == NULL)
		return 0;
	if (hd->authority != NULL)
		return strlen(h + 3) == hd->alen &&
		    strncasecmp(h + 3, hd->authority, hd->alen) == 0;
	if ((host = httphead_get(hd, "Host")) == NULL)
		return 0;
	return strcasecmp(h + 3, host) == 0;
}

/* --- WebSocket handshake --- */

static void
ws_route(const struct http_env *e, const struct httphead *h,
    struct http_resp *r)
{
	const char *extra, *why;
	int s;

	if ((s = upgrade_check(h, &extra, &why)) != 0) {
		http_error(r, s, extra, why);
		return;
	}
	if (!origin_ok(e->conf, h)) {
		e->st->origin_refused++;
		http_error(r, 403, NULL, "origin not allowed");
		return;
	}
	if (e->conf->token != NULL && !token_ok(e->conf, h)) {
		e->st->token_refused++;
		http_error(r, 401, "WWW-Authenticate: Bearer\r\n",
		    "missing or wrong token");
		return;
	}
	if (e->gauges.clients >= e->conf->max_clients) {
		e->st->max_clients_refused++;
		http_busy(r, "too many clients");
		return;
	}
	if (e->stopping) {
		http_error(r, 503, NULL, "shutting down");
		return;
	}
	r->status = 101;
	upgrade_accept(httphead_get(h, "Sec-WebSocket-Key"), r->accept);
}

/*
 * http_route: the response to request h, into r (http_resp_free it
 * once sent).  Only refusals are counted here (in e->st); the response
 * itself is counted when it is sent.
 */
void
http_route(const struct http_env *e, const struct httphead *h,
    struct http_resp *r)
{
	int head = strcmp(h->method, "HEAD") == 0;

	memset(r, 0, sizeof(*r));
	if (strcmp(h->path, "/ws") == 0)
		ws_route(e, h, r);
	else if (!head && strcmp(h->method, "GET") != 0)
		http_error(r, 405, "Allow: GET, HEAD\r\n",
		    "only GET and HEAD");
	else if (strcmp(h->path, "/healthz") == 0) {
		r->status = e->gauges.redis_up ? 200 : 503;
		r->ctype = "text/plain; charset=utf-8";
		r->body = e->gauges.redis_up ? "ok\n" : "redis down\n";
		r->len = strlen(r->body);
	} else if (strcmp(h->path, "/metrics") == 0) {
		r->ctype = "text/plain; version=0.0.4; charset=utf-8";
		r->owned = metrics_text(e->st, &e->gauges, &r->len);
		r->body = r->owned;
		r->status = r->body != NULL ? 200 : 500;
		if (r->body == NULL) {
			r->ctype = "text/plain";
			r->body = "";
			r->len = 0;
		}
	} else {
		serve_static(e->conf, h->path, r);
	}
	r->head = head;		/* errors too: RFC 9110 9.3.2 */
}
