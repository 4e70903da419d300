/*
 * jtok.c: the strict JSON scanner of jtok.h.  One validating pass
 * (jt_parse, iterative, a stack of JT_MAXDEPTH container kinds), then
 * navigation by skipping over text known to be valid.
 */
#include <string.h>

#include "jtok.h"

/*
 * Character classes: STR_PLAIN needs no attention inside a string
 * (printable ASCII but '"' and '\\'), SKIP_STOP matters when skipping a
 * container ('"', brackets and braces), STR_STOP ends a run in a string
 * known valid ('"', '\\').
 */
enum { STR_PLAIN = 1, SKIP_STOP = 2, STR_STOP = 4 };

static unsigned char	cls[256];

static void
cls_init(void)
{
	if (cls['a'] != 0)
		return;
	for (int c = 0x20; c < 0x80; c++)
		cls[c] = STR_PLAIN;
	cls['"'] = SKIP_STOP | STR_STOP;
	cls['\\'] = STR_STOP;
	cls['{'] |= SKIP_STOP;
	cls['}'] |= SKIP_STOP;
	cls['['] |= SKIP_STOP;
	cls[']'] |= SKIP_STOP;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *
ws(const char *p, const char *e)
{
	while (p < e && is_ws(*p))
		p++;
	return p;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (p + 4 <= e checked by the caller); -1 if not. */
static long
hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * The length of the well-formed UTF-8 sequence at p (lead byte >= 0x80):
 * no overlongs, no surrogates, nothing above U+10FFFF.  0 if invalid.
 */
static size_t
u8len(const unsigned char *p, const unsigned char *e)
{
	unsigned c = p[0];

	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return e - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (e - p < 3 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80 || (c == 0xE0 && p[1] < 0xA0) ||
		    (c == 0xED && p[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c < 0xF5) {
		if (e - p < 4 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80 ||
		    (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* p just after an opening quote: the end of the string, or NULL. */
static const char *
str_end(const char *p, const char *e)
{
	while (p < e) {
		unsigned char c = (unsigned char)*p;
		long u, lo;
		size_t k;

		if (cls[c] & STR_PLAIN) {
			p++;
			continue;
		}
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c >= 0x80) {
			if ((k = u8len((const unsigned char *)p,
			    (const unsigned char *)e)) == 0)
				return NULL;
			p += k;
			continue;
		}
		/* a backslash */
		if (++p >= e)
			return NULL;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p++;
			break;
		case 'u':
			if (e - p < 5 || (u = hex4(p + 1)) <= 0)
				return NULL;	/* bad hex, or \u0000 */
			p += 5;
			if (u >= 0xDC00 && u <= 0xDFFF)
				return NULL;	/* a lone low surrogate */
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (e - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    (lo = hex4(p + 2)) < 0xDC00 || lo > 0xDFFF)
					return NULL;
				p += 6;
			}
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

static int
digit(const char *p, const char *e)
{
	return p < e && *p >= '0' && *p <= '9';
}

/* The end of the number at p, or NULL if it breaks the grammar. */
static const char *
num_end(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (!digit(p, e))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (digit(p, e))
			p++;
	if (p < e && *p == '.') {
		if (!digit(++p, e))
			return NULL;
		while (digit(p, e))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!digit(p, e))
			return NULL;
		while (digit(p, e))
			p++;
	}
	return p;
}

static const char *
lit_end(const char *p, const char *e, const char *lit, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0 ? p + n : NULL;
}

int
jt_parse(const char *s, size_t len, struct jv *root)
{
	const char *p = s, *e = s + len, *start;
	char stack[JT_MAXDEPTH];
	int d = 0;

	cls_init();
	p = ws(p, e);
	if (p >= e || (*p != '{' && *p != '['))
		return -1;
	start = p;
value:
	p = ws(p, e);
	if (p >= e)
		return -1;
	switch (*p) {
	case '{':
	case '[':
		if (d == JT_MAXDEPTH)
			return -1;
		stack[d++] = *p;
		p = ws(p + 1, e);
		if (p < e && *p == (stack[d - 1] == '{' ? '}' : ']')) {
			p++;
			d--;
			goto after;
		}
		if (stack[d - 1] == '{')
			goto key;
		goto value;
	case '"':
		p = str_end(p + 1, e);
		break;
	case 't':
		p = lit_end(p, e, "true", 4);
		break;
	case 'f':
		p = lit_end(p, e, "false", 5);
		break;
	case 'n':
		p = lit_end(p, e, "null", 4);
		break;
	default:
		p = num_end(p, e);
		break;
	}
	if (p == NULL)
		return -1;
after:
	if (d == 0) {
		root->p = start;
		root->n = (size_t)(p - start);
		return ws(p, e) == e ? 0 : -1;
	}
	p = ws(p, e);
	if (p >= e)
		return -1;
	if (*p == ',') {
		p = ws(p + 1, e);
		if (stack[d - 1] == '[')
			goto value;
		goto key;
	}
	if (*p != (stack[d - 1] == '{' ? '}' : ']'))
		return -1;
	p++;
	d--;
	goto after;
key:
	if (p >= e || *p != '"' || (p = str_end(p + 1, e)) == NULL)
		return -1;
	p = ws(p, e);
	if (p >= e || *p != ':')
		return -1;
	p++;
	goto value;
}

/* ---- navigation over validated text ---- */

static const char *
vws(const char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

/* p after an opening quote: just after the closing one. */
static const char *
vstr(const char *p)
{
	for (;;) {
		while (!(cls[(unsigned char)*p] & STR_STOP))
			p++;
		if (*p == '"')
			return p + 1;
		p += 2;
	}
}

/* p at a value: just after it. */
static const char *
vskip(const char *p)
{
	int d = 0;

	switch (*p) {
	case '"':
		return vstr(p + 1);
	case '{':
	case '[':
		for (;;) {
			char c;

			while (!(cls[(unsigned char)*p] & SKIP_STOP))
				p++;
			c = *p++;
			if (c == '"')
				p = vstr(p);
			else if (c == '{' || c == '[')
				d++;
			else if ((c == '}' || c == ']') && --d == 0)
				return p;
		}
	default:
		while (*p != ',' && *p != '}' && *p != ']' && !is_ws(*p))
			p++;
		return p;
	}
}

enum jt_type
jt_type(struct jv v)
{
	if (v.p == NULL)
		return JT_NONE;
	switch (v.p[0]) {
	case '{':
		return JT_OBJ;
	case '[':
		return JT_ARR;
	case '"':
		return JT_STR;
	case 't':
		return JT_TRUE;
	case 'f':
		return JT_FALSE;
	case 'n':
		return JT_NULL;
	default:
		return JT_NUM;
	}
}

int
jt_begin(struct jv v, struct jit *it)
{
	if (v.p == NULL || (v.p[0] != '{' && v.p[0] != '['))
		return -1;
	it->close = v.p[0] == '{' ? '}' : ']';
	it->p = vws(v.p + 1);
	return 0;
}

int
jt_next(struct jit *it, struct jv *key, struct jv *val)
{
	const char *p = it->p, *q;

	if (*p == it->close)
		return 0;
	if (*p == ',')
		p = vws(p + 1);
	if (it->close == '}') {
		q = vstr(p + 1);
		if (key != NULL) {
			key->p = p;
			key->n = (size_t)(q - p);
		}
		p = vws(vws(q) + 1);	/* past ':' */
	} else if (key != NULL) {
		key->p = NULL;
		key->n = 0;
	}
	q = vskip(p);
	val->p = p;
	val->n = (size_t)(q - p);
	it->p = vws(q);
	return 1;
}

/* The unescaped content of the string at p (n with quotes) into buf. */
static long
unescape(const char *p, size_t n, char *buf, size_t cap)
{
	const char *e = p + n - 1;
	size_t o = 0;

	for (p++; p < e; ) {
		unsigned long u;
		char c = *p++;

		if (c != '\\') {
			if (o >= cap)
				return -1;
			buf[o++] = c;
			continue;
		}
		c = *p++;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			u = (unsigned long)hex4(p);
			p += 4;
			if (u >= 0xD800 && u <= 0xDBFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    ((unsigned long)hex4(p + 2) - 0xDC00);
				p += 6;
			}
			if (cap - o < 4)
				return -1;
			if (u < 0x80) {
				buf[o++] = (char)u;
			} else if (u < 0x800) {
				buf[o++] = (char)(0xC0 | (u >> 6));
				buf[o++] = (char)(0x80 | (u & 0x3F));
			} else if (u < 0x10000) {
				buf[o++] = (char)(0xE0 | (u >> 12));
				buf[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
				buf[o++] = (char)(0x80 | (u & 0x3F));
			} else {
				buf[o++] = (char)(0xF0 | (u >> 18));
				buf[o++] = (char)(0x80 | ((u >> 12) & 0x3F));
				buf[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
				buf[o++] = (char)(0x80 | (u & 0x3F));
			}
			continue;
		default:	/* " \ / */
			break;
		}
		if (o >= cap)
			return -1;
		buf[o++] = c;
	}
	return (long)o;
}

int
jt_str(struct jv v, char *buf, size_t cap, const char **s, size_t *n)
{
	long k;

	if (v.p == NULL || v.p[0] != '"')
		return -1;
	if (memchr(v.p + 1, '\\', v.n - 2) == NULL) {
		*s = v.p + 1;
		*n = v.n - 2;
		return 0;
	}
	if ((k = unescape(v.p, v.n, buf, cap)) < 0)
		return -1;
	*s = buf;
	*n = (size_t)k;
	return 0;
}

int
jt_eq(struct jv v, const char *lit)
{
	size_t ln = strlen(lit), n;
	const char *s;
	char buf[128];

	if (v.p == NULL || v.p[0] != '"')
		return 0;
	if (v.n - 2 == ln && memcmp(v.p + 1, lit, ln) == 0)
		return 1;
	if (memchr(v.p + 1, '\\', v.n - 2) == NULL)
		return 0;
	return jt_str(v, buf, sizeof(buf), &s, &n) == 0 && n == ln &&
	    memcmp(s, lit, ln) == 0;
}

size_t
jt_get(struct jv obj, const char *const *names, struct jv *out, size_t n)
{
	struct jit it;
	struct jv k, v;
	size_t found = 0, len[16];

	for (size_t i = 0; i < n; i++) {
		out[i].p = NULL;
		out[i].n = 0;
		if (i < 16)
			len[i] = strlen(names[i]);
	}
	if (obj.p == NULL || obj.p[0] != '{' || jt_begin(obj, &it) != 0)
		return 0;
	while (jt_next(&it, &k, &v)) {
		const char *kp = k.p + 1;
		size_t kn = k.n - 2, i;

		/* plain keys compare as they are; escaped ones unescaped */
		for (i = 0; i < n; i++)
			if (i < 16 ? kn == len[i] &&
			    memcmp(kp, names[i], kn) == 0 : jt_eq(k, names[i]))
				break;
		if (i == n && memchr(kp, '\\', kn) != NULL)
			for (i = 0; i < n; i++)
				if (jt_eq(k, names[i]))
					break;
		if (i == n)
			continue;
		if (out[i].p == NULL)
			found++;
		out[i] = v;
	}
	return found;
}

struct jv
jt_member(struct jv obj, const char *name)
{
	struct jv v;

	jt_get(obj, &name, &v, 1);
	return v;
}

struct jv
jt_index(struct jv a, size_t i)
{
	struct jit it;
	struct jv v = { NULL, 0 };

	if (a.p == NULL || a.p[0] != '[' || jt_begin(a, &it) != 0)
		return v;
	while (jt_next(&it, NULL, &v))
		if (i-- == 0)
			return v;
	v.p = NULL;
	v.n = 0;
	return v;
}

int
jt_pair(struct jv a, struct jv *x, struct jv *y)
{
	struct jit it;

	if (a.p != NULL && a.p[0] == '[' && jt_begin(a, &it) == 0 &&
	    jt_next(&it, NULL, x) && jt_next(&it, NULL, y))
		return 0;
	x->p = y->p = NULL;
	x->n = y->n = 0;
	return -1;
}

int
jt_empty(struct jv v)
{
	return v.p != NULL && (v.p[0] == '[' || v.p[0] == '{') &&
	    *vws(v.p + 1) == (v.p[0] == '[' ? ']' : '}');
}

/* Digits s[0..n) as a u64 no greater than max; -1 if not. */
static int
digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The text of an integer in v: a number or a string's content. */
static int
int_text(struct jv v, char *buf, size_t cap, const char **s, size_t *n)
{
	if (v.p == NULL)
		return -1;
	if (v.p[0] == '"')
		return jt_str(v, buf, cap, s, n);
	if (v.p[0] != '-' && (v.p[0] < '0' || v.p[0] > '9'))
		return -1;
	*s = v.p;
	*n = v.n;
	return 0;
}

int
jt_u64(struct jv v, uint64_t *out)
{
	const char *s;
	size_t n;
	char buf[32];

	if (int_text(v, buf, sizeof(buf), &s, &n) != 0)
		return -1;
	return digits(s, n, UINT64_MAX, out);
}

int
jt_i64(struct jv v, int64_t *out)
{
	const char *s;
	size_t n;
	uint64_t u;
	char buf[32];
	int neg;

	if (int_text(v, buf, sizeof(buf), &s, &n) != 0)
		return -1;
	neg = n > 0 && s[0] == '-';
	if (digits(s + neg, n - (size_t)neg, neg ? (uint64_t)INT64_MAX + 1 :
	    (uint64_t)INT64_MAX, &u) != 0)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}
