/*
 * fuzz_httphead.c: libFuzzer target for wsgate's HTTP head parser
 * (wsgate/httphead.c).  For any bytes: a parsed head holds only what the
 * grammar allows and points inside the buffer; and the bytes read so far
 * (a prefix, as recv may cut them) are never judged differently from the
 * whole: a prefix refused is refused alike, a prefix complete is the
 * same head (unless a NUL byte follows, which refuses the whole).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httphead.h"

static char whole[HTTPHEAD_MAX + 1], part[HTTPHEAD_MAX + 1];

static int
tchar(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static void
in_buf(const char *s, const char *buf, size_t len)
{
	if (s < buf || s > buf + len || memchr(s, 0, buf + len + 1 - s) ==
	    NULL)
		abort();
}

static void
check(const struct httphead *h, int s, const char *buf, size_t len)
{
	if (s == HTTPHEAD_MORE) {
		if (len >= HTTPHEAD_MAX)
			abort();
		return;
	}
	if (s != HTTPHEAD_OK) {
		if (s < 400 || s > 505 || h->why == NULL || !*h->why)
			abort();
		return;
	}
	if (h->len < 4 || h->len > len || h->minor < 0 || h->minor > 9 ||
	    h->nf < 0 || h->nf > HTTPHEAD_FIELDS_MAX)
		abort();
	in_buf(h->method, buf, len);
	in_buf(h->path, buf, len);
	if (!*h->method || h->path[0] != '/')
		abort();
	for (const char *m = h->method; *m; m++)
		if (!tchar((unsigned char)*m))
			abort();
	for (const char *t = h->path; *t; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f ||
		    *t == '?')
			abort();
	if (h->query != NULL)
		in_buf(h->query, buf, len);
	for (int i = 0; i < h->nf; i++) {
		const char *n = h->f[i].name, *v = h->f[i].value;

		in_buf(n, buf, len);
		in_buf(v, buf, len);
		if (!*n)
			abort();
		for (; *n; n++)
			if (!tchar((unsigned char)*n))
				abort();
		for (; *v; v++)
			if (((unsigned char)*v < ' ' && *v != '\t') ||
			    *v == 0x7f)
				abort();
	}
	if (h->minor >= 1 && httphead_count(h, "Host") != 1)
		abort();
	if (httphead_get(h, "Transfer-Encoding") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < HTTPHEAD_MAX ? size : HTTPHEAD_MAX, cut;
	struct httphead h, hp;
	int s, sp;

	cut = len > 0 ? (size_t)data[len - 1] * 257 % (len + 1) : 0;
	memcpy(whole, data, len);
	memcpy(part, data, cut);
	s = httphead_parse(whole, len, &h);
	check(&h, s, whole, len);
	sp = httphead_parse(part, cut, &hp);
	check(&hp, sp, part, cut);
	if (sp == HTTPHEAD_MORE)
		return 0;
	if (sp == s) {
		if (s == HTTPHEAD_OK && (hp.len != h.len || hp.nf != h.nf ||
		    strcmp(hp.path, h.path) != 0))
			abort();
		return 0;
	}
	/* judged apart only when a NUL byte after the cut refuses the whole */
	if (s != 400 || memchr(data + cut, 0, len - cut) == NULL ||
	    strcmp(h.why, "NUL byte in request") != 0)
		abort();
	return 0;
}
