/*
 * httphead.c: a strict, bounded parser of HTTP/1.1 request heads, as
 * wsgate takes them (wsgate(1)): one request per connection, no body.
 * It is pure: given the bytes received so far it says "more", a parsed
 * head, or the status to refuse the request with; it sends nothing.
 *
 * Limits: the request line is at most HTTPHEAD_LINE_MAX bytes (414), the
 * whole head at most HTTPHEAD_MAX bytes and HTTPHEAD_FIELDS_MAX header
 * lines (431).  A header that frames the request or decides the upgrade
 * may come once (400 otherwise), so that wsgate and any proxy in front
 * of it cannot read one request two ways; a request with a body gets
 * 413.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httphead.h"

/* Headers that may come at most once: framing, and the upgrade's. */
static const char *const once_hdrs[] = {
	"Host", "Content-Length", "Transfer-Encoding", "Upgrade",
	"Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
	"Origin", "Authorization"
};

static int
refuse(struct httphead *h, int status, const char *why)
{
	h->why = why;
	return status;
}

const char *
httphead_get(const struct httphead *h, const char *name)
{
	for (int i = 0; i < h->nf; i++)
		if (strcasecmp(h->f[i].name, name) == 0)
			return h->f[i].value;
	return NULL;
}

int
httphead_count(const struct httphead *h, const char *name)
{
	int n = 0;

	for (int i = 0; i < h->nf; i++)
		n += strcasecmp(h->f[i].name, name) == 0;
	return n;
}

/* Is tok one of the comma-separated tokens of list (case-insensitive)? */
int
httphead_has_token(const char *list, const char *tok)
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
 * split: splits the NUL-terminated head p (request line + headers, each
 * line ending in CRLF) into h, in place.  Returns 0 or an HTTP status.
 */
static int
split(char *p, struct httphead *h)
{
	char *eol, *sp1, *sp2, *target, *q;

	eol = strstr(p, "\r\n");
	*eol = 0;
	if ((sp1 = strchr(p, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) ==
	    NULL || strchr(sp2 + 1, ' '))
		return refuse(h, 400, "malformed request line");
	*sp1 = *sp2 = 0;
	h->method = p;
	target = sp1 + 1;
	if (*p == 0)
		return refuse(h, 400, "malformed method");
	for (char *m = p; *m; m++)
		if (!tchar((unsigned char)*m))
			return refuse(h, 400, "malformed method");
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)
	    sp2[8]) || sp2[9] != 0)
		return strncmp(sp2 + 1, "HTTP/", 5) == 0 ?
		    refuse(h, 505, "only HTTP/1.x") :
		    refuse(h, 400, "malformed HTTP version");
	h->minor = sp2[8] - '0';
	for (char *t = target; *t; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f)
			return refuse(h, 400, "bad character in request "
			    "target");
	/*
	 * The absolute form, which a server must accept (RFC 9112 3.2.2):
	 * its path is served, its authority stands for Host (origin_ok)
	 */
	if (strncasecmp(target, "http://", 7) == 0 ||
	    strncasecmp(target, "https://", 8) == 0) {
		char *a = strstr(target, "//") + 2;
		size_t n = strcspn(a, "/?#");

		if (n == 0 || memchr(a, '@', n) != NULL)
			return refuse(h, 400, "malformed request target "
			    "authority");
		h->authority = a;
		h->alen = n;
		target = a + n;
		if (*target == 0 || *target == '?') {
			/*
			 * No path: "/" is made in place, the authority moved
			 * over the "//" before it, so that every string of h
			 * lies in buf (httphead.h); a query stays where it is
			 */
			if (*target == '?')
				h->query = target + 1;
			memmove(a - 2, a, n);
			h->authority = a - 2;
			target = a - 2 + n;
			target[0] = '/';
			target[1] = 0;
		}
	}
	/* the asterisk form is OPTIONS's alone (RFC 9112 3.2.4): it comes
	 * through to be refused by method, 405, like any other OPTIONS */
	if (target[0] != '/' && !(strcmp(target, "*") == 0 &&
	    strcmp(h->method, "OPTIONS") == 0))
		return refuse(h, 400, "request target must be an absolute "
		    "path");
	h->path = target;
	if (h->query == NULL && (q = strchr(target, '?')) != NULL) {
		*q++ = 0;
		h->query = q;
	}
	p = eol + 2;
	while (*p) {
		char *colon, *v, *e;

		eol = strstr(p, "\r\n");
		*eol = 0;
		if (h->nf == HTTPHEAD_FIELDS_MAX)
			return refuse(h, 431, "too many header fields");
		if ((colon = strchr(p, ':')) == NULL || colon == p)
			return refuse(h, 400, "malformed header field");
		for (char *n = p; n < colon; n++)
			if (!tchar((unsigned char)*n))
				return refuse(h, 400, "malformed header name");
		*colon = 0;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = 0;
		for (char *c = v; *c; c++)
			if (((unsigned char)*c < ' ' && *c != '\t') ||
			    *c == 0x7f)
				return refuse(h, 400, "control character in "
				    "header value");
		h->f[h->nf].name = p;
		h->f[h->nf].value = v;
		h->nf++;
		p = eol + 2;
	}
	return 0;
}

/* framing: what a head may not say (repeats, a body).  0 or a status. */
static int
framing(struct httphead *h)
{
	const char *cl = httphead_get(h, "Content-Length");
	const char *te = httphead_get(h, "Transfer-Encoding");

	if (httphead_count(h, "Host") != 1 && h->minor >= 1)
		return refuse(h, 400, "exactly one Host header needed");
	for (size_t i = 0; i < sizeof(once_hdrs) / sizeof(once_hdrs[0]); i++)
		if (httphead_count(h, once_hdrs[i]) > 1) {
			snprintf(h->whybuf, sizeof(h->whybuf), "repeated %s "
			    "header", once_hdrs[i]);
			return refuse(h, 400, h->whybuf);
		}
	if (te != NULL && cl != NULL)
		return refuse(h, 400, "both Content-Length and "
		    "Transfer-Encoding");
	/* 1*DIGIT (RFC 9110 8.6): "00" is no body, "+0" no length */
	if (cl != NULL && (*cl == 0 || strspn(cl, "0123456789") !=
	    strlen(cl)))
		return refuse(h, 400, "malformed Content-Length");
	if (te != NULL || (cl != NULL && cl[strspn(cl, "0")] != 0))
		return refuse(h, 413, "request bodies are not accepted");
	return 0;
}

/*
 * httphead_parse: the len bytes of buf received so far on a connection,
 * at most HTTPHEAD_MAX; buf must have room for len + 1 (a NUL is put at
 * buf[len]).  Returns HTTPHEAD_MORE while the head is incomplete and
 * may still come right; HTTPHEAD_OK once it is complete and acceptable,
 * with h filled in (its strings point into buf, which is cut up) and
 * h->len the head's length (bytes after it are the client's, for the
 * next protocol); or else the HTTP status to refuse the request with,
 * and h->why.  buf is changed only when the head is complete.  h->head
 * says whether the request line begins with HEAD, whatever the status.
 */
int
httphead_parse(char *buf, size_t len, struct httphead *h)
{
	char *end, *eol;
	int s;

	memset(h, 0, sizeof(*h));
	buf[len] = 0;
	/* before anything is refused: no body for HEAD, wsgate(1) */
	h->head = len >= 5 && memcmp(buf, "HEAD ", 5) == 0;
	/*
	 * Only the head itself may not hold a NUL: the bytes after its
	 * blank line are the client's first frames (a masking key or a
	 * payload byte is often 0), already sent with it.
	 */
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (memchr(buf, 0, end != NULL ? (size_t)(end + 4 - buf) : len) != NULL)
		return refuse(h, 400, "NUL byte in request");
	eol = strstr(buf, "\r\n");
	/* a CR last may begin the line's CRLF: the line is not longer yet */
	if ((eol == NULL && len - (len > 0 && buf[len - 1] == '\r') >
	    HTTPHEAD_LINE_MAX) ||
	    (eol != NULL && eol - buf > HTTPHEAD_LINE_MAX))
		return refuse(h, 414, "request line too long");
	if ((end = strstr(buf, "\r\n\r\n")) == NULL)
		return len >= HTTPHEAD_MAX ?
		    refuse(h, 431, "request head too large") : HTTPHEAD_MORE;
	h->len = (size_t)(end + 4 - buf);
	end[2] = 0;		/* keep the last header's CRLF */
	if ((s = split(buf, h)) != 0)
		return s;
	return framing(h);
}
