/*
 * jscan.c: a validating, non-allocating JSON scanner for one line; see
 * jscan.h.  Recursive descent over the bytes; every function returns 0
 * or -1 and leaves the reason in the scanner.
 */
#include <stdio.h>
#include <string.h>

#include "jscan.h"
#include "util.h"

#define JSCAN_MAX_DEPTH	64

struct js {
	const unsigned char	*p, *start, *end;
	const char		*why;
	int			depth;
};

/* js_plain[c]: c may appear in a string as is, ASCII, not '"' or '\\' */
#define P4	1, 1, 1, 1
#define P16	P4, P4, P4, P4
static const unsigned char js_plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* '"' */
	[0x30] = P16, P16,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* '\\' */
	[0x60] = P16, P16,
};
#undef P4
#undef P16

static int
js_fail(struct js *s, const char *why)
{
	s->why = why;
	return -1;
}

static void
js_ws(struct js *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

static int
js_hex4(struct js *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (s->end - s->p < 4)
		return js_fail(s, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		unsigned c = s->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return js_fail(s, "bad \\u escape");
	}
	s->p += 4;
	*out = v;
	return 0;
}

/*
 * js_string: s->p is at the opening quote.  On success s->p is past the
 * closing quote and *out (if not NULL) describes the raw contents.
 */
static int
js_string(struct js *s, struct jscan_str *out)
{
	const unsigned char *b;
	unsigned hi = 0;
	int esc = 0;

	b = ++s->p;
	for (;;) {
		unsigned c;

		/* fast path: bytes that need no attention (js_plain) */
		while (s->end - s->p >= 4 && js_plain[s->p[0]] &&
		    js_plain[s->p[1]] && js_plain[s->p[2]] &&
		    js_plain[s->p[3]])
			s->p += 4;
		while (s->p < s->end && js_plain[*s->p])
			s->p++;
		if (s->p >= s->end)
			return js_fail(s, "unterminated string");
		c = *s->p;
		if (c == '"')
			break;
		if (c >= 0x80) {	/* checked at the end */
			hi = 1;
			s->p++;
			continue;
		}
		if (c < 0x20)
			return js_fail(s, "control character in string");
		/* backslash */
		esc = 1;
		if (++s->p >= s->end)
			return js_fail(s, "unterminated string");
		c = *s->p++;
		switch (c) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			break;
		case 'u': {
			unsigned u, lo;

			if (js_hex4(s, &u) < 0)
				return -1;
			if (u == 0)
				return js_fail(s, "\\u0000 in string");
			if (u >= 0xdc00 && u <= 0xdfff)
				return js_fail(s, "lone low surrogate escape");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (s->end - s->p < 2 || s->p[0] != '\\' ||
				    s->p[1] != 'u')
					return js_fail(s,
					    "lone high surrogate escape");
				s->p += 2;
				if (js_hex4(s, &lo) < 0)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return js_fail(s,
					    "lone high surrogate escape");
			}
			break;
		}
		default:
			return js_fail(s, "bad escape in string");
		}
	}
	if (hi && !utf8_valid((const char *)b, (size_t)(s->p - b)))
		return js_fail(s, "invalid UTF-8 in string");
	if (out != NULL) {
		out->ptr = (const char *)b;
		out->len = (size_t)(s->p - b);
		out->esc = esc;
	}
	s->p++;
	return 0;
}

/*
 * js_number: the JSON number grammar.  *is_uint is set when the number
 * is a plain non-negative integer that fits in 64 bits, with its value.
 */
static int
js_number(struct js *s, int *is_uint, uint64_t *val)
{
	uint64_t v = 0;
	int neg = 0, ovf = 0, frac = 0;

	if (*s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return js_fail(s, "bad number");
	if (*s->p == '0') {
		s->p++;
	} else {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			unsigned d = *s->p++ - '0';

			if (v > (UINT64_MAX - d) / 10)
				ovf = 1;
			else
				v = v * 10 + d;
		}
	}
	if (s->p < s->end && *s->p == '.') {
		frac = 1;
		s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return js_fail(s, "bad number fraction");
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		frac = 1;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return js_fail(s, "bad number exponent");
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	*is_uint = !neg && !ovf && !frac;
	*val = v;
	return 0;
}

static int
js_literal(struct js *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return js_fail(s, "unexpected character");
	s->p += n;
	return 0;
}

static int js_object(struct js *, struct jscan_route *);
static int js_array(struct js *);

/*
 * One value of any type at s->p: a string (its content into *str if not
 * NULL), object, array, literal, or number (*is_uint and *val as
 * js_number sets them).  Returns 0 or -1 (js_fail).
 */
static int
js_value(struct js *s, struct jscan_str *str, int *is_uint, uint64_t *val)
{
	switch (*s->p) {
	case '"':
		return js_string(s, str);
	case '{':
		return js_object(s, NULL);
	case '[':
		if (++s->depth > JSCAN_MAX_DEPTH)
			return js_fail(s, "nested too deeply");
		if (js_array(s) < 0)
			return -1;
		s->depth--;
		return 0;
	case 't':
		return js_literal(s, "true", 4);
	case 'f':
		return js_literal(s, "false", 5);
	case 'n':
		return js_literal(s, "null", 4);
	default:
		return js_number(s, is_uint, val);
	}
}

static int
js_array(struct js *s)
{
	s->p++;
	js_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		int u;
		uint64_t v;

		js_ws(s);
		if (s->p >= s->end)
			return js_fail(s, "unterminated array");
		if (js_value(s, NULL, &u, &v) < 0)
			return -1;
		js_ws(s);
		if (s->p >= s->end)
			return js_fail(s, "unterminated array");
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return js_fail(s, "expected ',' or ']' in array");
		s->p++;
	}
}

static int
js_key_is(const struct jscan_str *k, const char *name, size_t n)
{
	return !k->esc && k->len == n && memcmp(k->ptr, name, n) == 0;
}

/*
 * js_object: s->p is at '{'.  With r != NULL (the top level), routed
 * members are recorded in r.
 */
static int
js_object(struct js *s, struct jscan_route *r)
{
	if (++s->depth > JSCAN_MAX_DEPTH)
		return js_fail(s, "nested too deeply");
	s->p++;
	js_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		struct jscan_str key, *want = NULL;
		uint64_t *wantnum = NULL;
		int *wanthas = NULL, u;
		uint64_t v;

		js_ws(s);
		if (s->p >= s->end || *s->p != '"')
			return js_fail(s, "expected a member name");
		if (js_string(s, &key) < 0)
			return -1;
		js_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return js_fail(s, "expected ':'");
		s->p++;
		js_ws(s);
		if (s->p >= s->end)
			return js_fail(s, "missing value");
		if (r != NULL) {
			if (js_key_is(&key, "type", 4))
				want = &r->type;
			else if (js_key_is(&key, "venue", 5))
				want = &r->venue;
			else if (js_key_is(&key, "symbol", 6))
				want = &r->symbol;
			else if (js_key_is(&key, "seq", 3)) {
				wantnum = &r->seq;
				wanthas = &r->has_seq;
			} else if (js_key_is(&key, "recv", 4)) {
				wantnum = &r->recv;
				wanthas = &r->has_recv;
			}
			if (want != NULL) {
				if (want->ptr != NULL)
					return js_fail(s, "duplicate routing "
					    "member (type, venue or symbol)");
				if (*s->p != '"')
					return js_fail(s, "type, venue and "
					    "symbol must be strings");
			}
		}
		u = 0;	/* js_value sets it for numbers only */
		if (js_value(s, want, &u, &v) < 0)
			return -1;
		if (wantnum != NULL && u) {
			*wantnum = v;
			*wanthas = 1;
		}
		js_ws(s);
		if (s->p >= s->end)
			return js_fail(s, "unterminated object");
		if (*s->p == '}') {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p != ',')
			return js_fail(s, "expected ',' or '}' in object");
		s->p++;
	}
}

int
jscan_line(const char *line, size_t len, struct jscan_route *r, char *err,
    size_t errlen)
{
	struct js s;

	memset(r, 0, sizeof(*r));
	s.start = s.p = (const unsigned char *)line;
	s.end = s.p + len;
	s.why = NULL;
	s.depth = 0;
	js_ws(&s);
	if (s.p >= s.end) {
		snprintf(err, errlen, "empty line");
		return -1;
	}
	if (*s.p != '{') {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	if (js_object(&s, r) < 0)
		goto bad;
	js_ws(&s);
	if (s.p != s.end) {
		s.why = "trailing characters after the object";
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "invalid JSON at byte %zu: %s",
	    (size_t)(s.p - s.start) + 1, s.why);
	return -1;
}
