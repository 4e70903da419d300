/*
 * http.c: wsgate's HTTP/1.1 side: a strict, bounded request parser of
 * its own (GET and HEAD only, no bodies, one request per connection),
 * the routes (/ and static files from --www, /ws, /healthz, /metrics),
 * and the RFC 6455 opening handshake with its checks: Origin allow-list
 * (403), token (401), client limit (503).
 *
 * Limits: the request line is at most HTTP_LINE_MAX bytes (414), the
 * whole head at most HTTP_HEAD_MAX bytes and HTTP_HEADERS_MAX header
 * lines (431); a head not complete within --handshake-timeout gets 408.
 * A header that frames the request or decides the upgrade may come once
 * (400 otherwise), so that wsgate and any proxy in front of it cannot
 * read one request two ways.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "wsgate.h"

#define HTTP_LINE_MAX		2048
#define HTTP_HEAD_MAX		8192
#define HTTP_HEADERS_MAX	64
#define STATIC_MAX		(64u << 20)

struct hdr {
	char	*name;
	char	*value;
};

struct req {
	char		*method;
	char		*target;
	char		*path;
	char		*query;
	int		 minor;		/* HTTP/1.minor */
	struct hdr	 h[HTTP_HEADERS_MAX];
	int		 nh;
};

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
 * http_respond: queues a complete response (Connection: close) and ends
 * the connection after it.  extra: more header lines, each ending in
 * CRLF, or NULL.  head: HEAD request, no body.
 */
void
http_respond(struct client *c, int status, const char *ctype,
    const char *extra, const void *body, size_t len, int head)
{
	char h[1024];
	struct frame *f;
	int n;

	n = snprintf(h, sizeof(h), "HTTP/1.1 %d %s\r\n"
	    "Server: wsgate\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-cache\r\n"
	    "Connection: close\r\n%s\r\n",
	    status, status_text(status), ctype, len, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(h))
		n = 0;
	if (status >= 100 && status < 600)
		G.st.http[status]++;
	if ((f = frame_raw(h, (size_t)n)) != NULL) {
		client_enqueue(c, f);
		frame_unref(f);
	}
	if (!head && len > 0 && (f = frame_raw(body, len)) != NULL) {
		client_enqueue(c, f);
		frame_unref(f);
	}
	client_http_done(c);
}

static void
http_error(struct client *c, int status, const char *extra, const char *why)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "%d %s: %s\n", status,
	    status_text(status), why);

	if (G.conf.verbose)
		fprintf(stderr, "wsgate: http %s: %d: %s\n", c->addr, status,
		    why);
	http_respond(c, status, "text/plain; charset=utf-8", extra, body,
	    n > 0 ? (size_t)n : 0, 0);
}

void
http_timeout(struct client *c)
{
	G.st.handshake_timeouts++;
	http_error(c, 408, NULL, "request not received in time");
}

static const char *
hdr_get(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nh; i++)
		if (strcasecmp(r->h[i].name, name) == 0)
			return r->h[i].value;
	return NULL;
}

static int
hdr_count(const struct req *r, const char *name)
{
	int n = 0;

	for (int i = 0; i < r->nh; i++)
		n += strcasecmp(r->h[i].name, name) == 0;
	return n;
}

/* Is tok one of the comma-separated tokens of list (case-insensitive)? */
static int
has_token(const char *list, const char *tok)
{
	size_t tl = strlen(tok);

	while (list != NULL && *list) {
		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		const char *e = list;

		while (*e && *e != ',')
			e++;
		const char *t = e;

		while (t > list && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - list) == tl && strncasecmp(list, tok, tl) == 0)
			return 1;
		list = e;
	}
	return 0;
}

static int
tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/*
 * parse_head: splits the NUL-terminated head (request line + headers,
 * CRLFs included) into r, in place.  Returns 0, or an HTTP status.
 */
static int
parse_head(char *p, struct req *r, const char **why)
{
	char *eol, *sp1, *sp2;

	memset(r, 0, sizeof(*r));
	eol = strstr(p, "\r\n");
	*eol = 0;
	if ((sp1 = strchr(p, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) ==
	    NULL || strchr(sp2 + 1, ' ')) {
		*why = "malformed request line";
		return 400;
	}
	*sp1 = *sp2 = 0;
	r->method = p;
	r->target = sp1 + 1;
	for (char *m = p; *m; m++)
		if (!tchar((unsigned char)*m)) {
			*why = "malformed method";
			return 400;
		}
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)
	    sp2[8]) || sp2[9] != 0) {
		*why = strncmp(sp2 + 1, "HTTP/", 5) == 0 ?
		    "only HTTP/1.x" : "malformed HTTP version";
		return strncmp(sp2 + 1, "HTTP/", 5) == 0 ? 505 : 400;
	}
	r->minor = sp2[8] - '0';
	if (r->target[0] != '/') {
		*why = "request target must be an absolute path";
		return 400;
	}
	for (char *t = r->target; *t; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f) {
			*why = "bad character in request target";
			return 400;
		}
	r->path = r->target;
	if ((r->query = strchr(r->target, '?')) != NULL)
		*r->query++ = 0;
	p = eol + 2;
	while (*p) {
		char *colon, *v, *e;

		eol = strstr(p, "\r\n");
		*eol = 0;
		if (r->nh == HTTP_HEADERS_MAX) {
			*why = "too many header fields";
			return 431;
		}
		if ((colon = strchr(p, ':')) == NULL || colon == p) {
			*why = "malformed header field";
			return 400;
		}
		for (char *n = p; n < colon; n++)
			if (!tchar((unsigned char)*n)) {
				*why = "malformed header name";
				return 400;
			}
		*colon = 0;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = 0;
		for (char *q = v; *q; q++)
			if (((unsigned char)*q < ' ' && *q != '\t') ||
			    *q == 0x7f) {
				*why = "control character in header value";
				return 400;
			}
		r->h[r->nh].name = p;
		r->h[r->nh].value = v;
		r->nh++;
		p = eol + 2;
	}
	return 0;
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

/*
 * serve_static: path is the request path.  Only [A-Za-z0-9._~/-] are
 * accepted, no segment may start with '.', and the resolved file must
 * lie under realpath(--www) (symlinks out of it are refused), so nothing
 * outside DIR is reachable.
 */
static void
serve_static(struct client *c, const char *path, int head)
{
	char rel[1024], *real = NULL, *buf = NULL;
	struct stat sb;
	size_t wl;
	int fd = -1;

	if (G.conf.www_real == NULL) {
		http_error(c, 404, NULL, "no --www directory");
		return;
	}
	for (const char *p = path; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._~/-", *p)) {
			http_error(c, 404, NULL, "no such file");
			return;
		}
	if (strstr(path, "/.") != NULL || strstr(path, "//") != NULL ||
	    strlen(path) > 512) {
		http_error(c, 404, NULL, "no such file");
		return;
	}
	snprintf(rel, sizeof(rel), "%s%s%s", G.conf.www_real, path,
	    path[strlen(path) - 1] == '/' ? "index.html" : "");
	if ((real = realpath(rel, NULL)) == NULL) {
		http_error(c, 404, NULL, "no such file");
		return;
	}
	wl = strlen(G.conf.www_real);
	if (strncmp(real, G.conf.www_real, wl) != 0 || real[wl] != '/') {
		free(real);
		http_error(c, 404, NULL, "no such file");
		return;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(real);
		http_error(c, 404, NULL, "no such file");
		return;
	}
	if ((uint64_t)sb.st_size > STATIC_MAX ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		free(real);
		http_error(c, 500, NULL, "file too large");
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
	http_respond(c, 200, mime_type(real), NULL, buf, got, head);
	free(buf);
	free(real);
}

/* --- WebSocket handshake --- */

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
token_ok(const struct req *r)
{
	const char *t = G.conf.token, *a;
	size_t tl = strlen(t);

	if ((a = hdr_get(r, "Authorization")) != NULL &&
	    strncasecmp(a, "Bearer ", 7) == 0 &&
	    secret_eq(a + 7, t, tl))
		return 1;
	for (const char *q = r->query; q != NULL && *q; ) {
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
 * same host:port as the Host header.  Requests with no Origin (not from
 * a browser) are accepted either way.
 */
static int
origin_ok(const struct req *r)
{
	const char *o = hdr_get(r, "Origin"), *host, *h;

	if (o == NULL)
		return 1;
	if (G.conf.norigins > 0) {
		for (size_t i = 0; i < G.conf.norigins; i++)
			if (strcmp(G.conf.origins[i], "*") == 0 ||
			    strcasecmp(G.conf.origins[i], o) == 0)
				return 1;
		return 0;
	}
	if ((host = hdr_get(r, "Host")) == NULL)
		return 0;
	if ((h = strstr(o, "://")) == NULL)
		return 0;
	return strcasecmp(h + 3, host) == 0;
}

static void
ws_handshake(struct client *c, const struct req *r)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	const char *key = hdr_get(r, "Sec-WebSocket-Key");
	const char *ver = hdr_get(r, "Sec-WebSocket-Version");
	unsigned char md[SHA_DIGEST_LENGTH], raw[32];
	char kg[128], acc[64], resp[256];
	struct frame *f;
	int n;

	if (strcmp(r->method, "GET") != 0) {
		http_error(c, 405, "Allow: GET\r\n", "WebSocket needs GET");
		return;
	}
	if (!has_token(hdr_get(r, "Upgrade"), "websocket") ||
	    !has_token(hdr_get(r, "Connection"), "upgrade")) {
		http_error(c, 426, "Upgrade: websocket\r\n"
		    "Connection: Upgrade\r\n", "expected a WebSocket upgrade");
		return;
	}
	if (r->minor < 1) {
		http_error(c, 400, NULL, "WebSocket needs HTTP/1.1");
		return;
	}
	if (ver == NULL || strcmp(ver, "13") != 0) {
		http_error(c, 426, "Sec-WebSocket-Version: 13\r\n",
		    "only WebSocket version 13");
		return;
	}
	if (key == NULL || strlen(key) != 24 ||
	    EVP_DecodeBlock(raw, (const unsigned char *)key, 24) != 18 ||
	    key[22] != '=' || key[23] != '=') {
		http_error(c, 400, NULL, "bad Sec-WebSocket-Key");
		return;
	}
	if (!origin_ok(r)) {
		G.st.origin_refused++;
		http_error(c, 403, NULL, "origin not allowed");
		return;
	}
	if (G.conf.token != NULL && !token_ok(r)) {
		G.st.token_refused++;
		http_error(c, 401, "WWW-Authenticate: Bearer\r\n",
		    "missing or wrong token");
		return;
	}
	if (G.nws >= G.conf.max_clients) {
		G.st.max_clients_refused++;
		http_error(c, 503, "Retry-After: 5\r\n", "too many clients");
		return;
	}
	if (G.stopping) {
		http_error(c, 503, NULL, "shutting down");
		return;
	}
	snprintf(kg, sizeof(kg), "%s%s", key, guid);
	SHA1((const unsigned char *)kg, strlen(kg), md);
	EVP_EncodeBlock((unsigned char *)acc, md, sizeof(md));
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
	G.st.http[101]++;
	if ((f = frame_raw(resp, (size_t)n)) == NULL) {
		http_error(c, 500, NULL, "out of memory");
		return;
	}
	client_enqueue(c, f);
	frame_unref(f);
	client_ws_open(c);
}

/* Headers that may come at most once: framing, and the upgrade's. */
static const char *const once_hdrs[] = {
	"Host", "Content-Length", "Transfer-Encoding", "Upgrade",
	"Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
	"Origin", "Authorization"
};

static void
route(struct client *c, const struct req *r)
{
	int head = strcmp(r->method, "HEAD") == 0;
	char why[64];

	if (hdr_count(r, "Host") != 1 && r->minor >= 1) {
		http_error(c, 400, NULL, "exactly one Host header needed");
		return;
	}
	for (size_t i = 0; i < sizeof(once_hdrs) / sizeof(once_hdrs[0]); i++)
		if (hdr_count(r, once_hdrs[i]) > 1) {
			snprintf(why, sizeof(why), "repeated %s header",
			    once_hdrs[i]);
			http_error(c, 400, NULL, why);
			return;
		}
	if (hdr_get(r, "Transfer-Encoding") != NULL &&
	    hdr_get(r, "Content-Length") != NULL) {
		http_error(c, 400, NULL, "both Content-Length and "
		    "Transfer-Encoding");
		return;
	}
	if (hdr_get(r, "Transfer-Encoding") != NULL ||
	    (hdr_get(r, "Content-Length") != NULL &&
	    strcmp(hdr_get(r, "Content-Length"), "0") != 0)) {
		http_error(c, 413, NULL, "request bodies are not accepted");
		return;
	}
	if (strcmp(r->path, "/ws") == 0) {
		ws_handshake(c, r);
		return;
	}
	if (!head && strcmp(r->method, "GET") != 0) {
		http_error(c, 405, "Allow: GET, HEAD\r\n",
		    "only GET and HEAD");
		return;
	}
	if (strcmp(r->path, "/healthz") == 0) {
		const char *b = hub_redis_up() ? "ok\n" : "redis down\n";

		http_respond(c, hub_redis_up() ? 200 : 503,
		    "text/plain; charset=utf-8", NULL, b, strlen(b), head);
	} else if (strcmp(r->path, "/metrics") == 0) {
		wsgate_metrics(c, head);
	} else {
		serve_static(c, r->path, head);
	}
}

/*
 * http_input: reads what is there, and once the head is complete parses
 * and answers it.  Bytes after the head stay in hbuf (pre_len) for wslay.
 */
void
http_input(struct client *c)
{
	struct req r;
	const char *why = "";
	char *end;
	ssize_t n;
	int s;

	if (c->hbuf == NULL && (c->hbuf = malloc(HTTP_HEAD_MAX + 1)) == NULL) {
		client_doom(c, 1011, "", 1);
		return;
	}
	n = recv(c->fd, c->hbuf + c->hlen, HTTP_HEAD_MAX - c->hlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_doom(c, 1001, "", 1);
		return;
	}
	if (n < 0)
		return;
	c->hlen += (size_t)n;
	c->hbuf[c->hlen] = 0;
	if (memchr(c->hbuf, 0, c->hlen) != NULL) {
		http_error(c, 400, NULL, "NUL byte in request");
		return;
	}
	end = strstr(c->hbuf, "\r\n\r\n");
	if (end == NULL) {
		char *eol = strstr(c->hbuf, "\r\n");

		if ((eol == NULL && c->hlen > HTTP_LINE_MAX) ||
		    (eol != NULL && eol - c->hbuf > HTTP_LINE_MAX))
			http_error(c, 414, NULL, "request line too long");
		else if (c->hlen >= HTTP_HEAD_MAX)
			http_error(c, 431, NULL, "request head too large");
		return;
	}
	if (strstr(c->hbuf, "\r\n") - c->hbuf > HTTP_LINE_MAX) {
		http_error(c, 414, NULL, "request line too long");
		return;
	}
	c->pre_len = c->hlen - (size_t)(end + 4 - c->hbuf);
	c->pre_off = 0;
	end[2] = 0;		/* keep the last header's CRLF */
	if ((s = parse_head(c->hbuf, &r, &why)) != 0) {
		http_error(c, s, NULL, why);
		return;
	}
	route(c, &r);
}

/*
 * http_load_token: reads the token (first line of path, surrounding
 * blanks removed, 1 to 256 characters of [!-~]).  Returns 0, or -1 with
 * a message in msg.
 */
int
http_load_token(const char *path, char **out, char *msg, size_t msglen)
{
	char line[512], *s, *e;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = 0;
	fclose(f);
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = 0;
	if (e == s || e - s > 256) {
		snprintf(msg, msglen, "%s: no token on its first line", path);
		return -1;
	}
	for (char *p = s; *p; p++)
		if (*p < '!' || *p > '~') {
			snprintf(msg, msglen, "%s: token must be printable "
			    "ASCII without spaces", path);
			return -1;
		}
	if ((*out = strdup(s)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	return 0;
}
