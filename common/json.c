/*
 * json.c: the JSON scanner of json.h.  One checker of values, value_end
 * (iterative: a goto state machine with the kinds of the open containers
 * in a 64-bit stack), serves jt_parse whole and jt_pick for the values
 * of the top object, whose members jt_pick reads itself so that it looks
 * at keys only there.  Strings are searched for their end eight bytes at
 * a time (a character class table where words do not work), and UTF-8
 * is checked only in strings that hold a byte above 0x7f.  After the
 * check, navigation skips over text known to be valid, without bounds
 * checks.  On the lines of bench/json.c the word search made jt_pick
 * about a fifth faster than the table.
 */
#include <string.h>

#include "json.h"
#include "util.h"

/*
 * Character classes.  C_PLAIN needs no attention inside a string
 * (printable ASCII and DEL, but '"' and '\\'); C_WS is JSON white space;
 * C_QUOTE, C_BSLASH and C_BRACKET (any of []{}) are where skipping over
 * valid text stops; C_END (',', ']' and '}') ends a number or literal.
 */
enum {
	C_PLAIN = 1, C_WS = 2, C_QUOTE = 4, C_BSLASH = 8, C_BRACKET = 16,
	C_END = 32,
};

#define P	C_PLAIN
#define W	C_WS
#define PB	(C_PLAIN | C_BRACKET)
#define PE	(C_PLAIN | C_END)
#define PBE	(C_PLAIN | C_BRACKET | C_END)
#define P8	P, P, P, P, P, P, P, P
static const unsigned char cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, W, W, 0, 0, W, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	P | W, P, C_QUOTE, P, P, P, P, P, P, P, P, P, PE, P, P, P, /* 0x20 */
	P8, P8,							/* 0x30 */
	P8, P8,							/* 0x40 */
	P8, P, P, P, PB, C_BSLASH, PBE, P, P,			/* 0x50 */
	P8, P8,							/* 0x60 */
	P8, P, P, P, PB, P, PBE, P, P,				/* 0x70 */
};
#undef P
#undef W
#undef PB
#undef PE
#undef PBE
#undef P8

/* Past white space; a byte above ' ' ends it without the table. */
static const char *
ws(const char *p, const char *e)
{
	while (p < e && (unsigned char)*p <= ' ' &&
	    (cls[(unsigned char)*p] & C_WS))
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

/* Four hex digits at p (p + 4 <= end checked by the caller); -1 if not. */
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
 * plain_end: past the bytes from p that need no attention in a string
 * (C_PLAIN).  Eight at a time where the platform allows: in a word x,
 * the lowest byte that is below 0x20, '"', '\\' or above 0x7f is the
 * lowest with its high bit set in special(x) (bytes above it may be
 * flagged wrongly, through borrows, but none below it).  Most strings
 * here are shorter than eight bytes: one word finds their end.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES	0x0101010101010101ull
static uint64_t
special(uint64_t x)
{
	return ((x - ONES * 0x20) | ((x ^ (ONES * '"')) - ONES) |
	    ((x ^ (ONES * '\\')) - ONES) | x) & (ONES * 0x80);
}

static inline const char *
plain_end(const char *p, const char *e)
{
	uint64_t x, t;

	for (; e - p >= 8; p += 8) {
		memcpy(&x, p, 8);
		if ((t = special(x)) != 0)
			return p + __builtin_ctzll(t) / 8;
	}
	while (p < e && (cls[(unsigned char)*p] & C_PLAIN))
		p++;
	return p;
}
#undef ONES
#else
static inline const char *
plain_end(const char *p, const char *e)
{
	while (e - p >= 4 && (cls[(unsigned char)p[0]] &
	    cls[(unsigned char)p[1]] & cls[(unsigned char)p[2]] &
	    cls[(unsigned char)p[3]] & C_PLAIN))
		p += 4;
	while (p < e && (cls[(unsigned char)*p] & C_PLAIN))
		p++;
	return p;
}
#endif

/* Where and why the check failed. */
struct fail {
	const char	*at;
	const char	*why;
};

static const char *
failed(struct fail *f, const char *at, const char *why)
{
	f->at = at;
	f->why = why;
	return NULL;
}

/*
 * str_rest: str_end from p on, in the string that starts at b, where
 * plain_end stopped.
 */
static const char *
str_rest(const char *b, const char *p, const char *e, int *esc,
    struct fail *f)
{
	int hi = 0;
	long u, lo;

	for (;; p = plain_end(p, e)) {
		unsigned char c;

		if (p >= e)
			return failed(f, p, "unterminated string");
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c >= 0x80) {	/* checked at the end */
			hi = 1;
			p++;
			continue;
		}
		if (c < 0x20)
			return failed(f, p, "control character in string");
		*esc = 1;	/* a backslash */
		if (e - p < 2)
			return failed(f, p, "unterminated string");
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			continue;
		case 'u':
			break;
		default:
			return failed(f, p, "bad escape in string");
		}
		if (e - p < 6 || (u = hex4(p + 2)) < 0)
			return failed(f, p, "bad \\u escape");
		if (u == 0)
			return failed(f, p, "\\u0000 in string");
		if (u >= 0xDC00 && u <= 0xDFFF)
			return failed(f, p, "lone low surrogate escape");
		p += 6;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (e - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    (lo = hex4(p + 2)) < 0xDC00 || lo > 0xDFFF)
				return failed(f, p, "lone high surrogate escape");
			p += 6;
		}
	}
	if (hi && !utf8_valid(b, (size_t)(p - b)))
		return failed(f, b, "invalid UTF-8 in string");
	return p + 1;
}

/*
 * str_end: p just after an opening quote; returns the position just after
 * the closing one, or NULL (f says where and why).  *esc becomes 1 if
 * the string has an escape.  Most strings end at the first stop.
 */
static inline const char *
str_end(const char *p, const char *e, int *esc, struct fail *f)
{
	const char *q = plain_end(p, e);

	if (q < e && *q == '"')
		return q + 1;
	return str_rest(p, q, e, esc, f);
}

static int
digit(const char *p, const char *e)
{
	return p < e && (unsigned)(*p - '0') < 10;
}

/*
 * digits_end: past the decimal digits from p.  Eight at a time where the
 * platform allows, as in plain_end: in a word x, a byte is a digit when
 * its high nibble is 3 and adding 6 keeps it so; the lowest byte that is
 * not has a nonzero byte in nondigit(x) (a carry out of a byte above 0xf9
 * can only flag bytes above it, and that byte is flagged itself).  The
 * timestamps of tickpipe-json(5) have 19 digits.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES	0x0101010101010101ull
static inline uint64_t
nondigit(uint64_t x)
{
	return ((x & ONES * 0xf0) ^ ONES * 0x30) |
	    (((x + ONES * 0x06) & ONES * 0xf0) ^ ONES * 0x30);
}

/*
 * digits8: the value of the eight digits in x, the first in its lowest
 * byte: pairs, then fours, then the eight, by multiplications.
 */
static inline uint64_t
digits8(uint64_t x)
{
	x -= ONES * '0';
	x = x * 10 + (x >> 8);
	return ((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
	    ((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
	    32;
}
#define DIGITS8

static const char *
digits_end(const char *p, const char *e)
{
	uint64_t x, t;

	for (; e - p >= 8; p += 8) {
		memcpy(&x, p, 8);
		if ((t = nondigit(x)) != 0)
			return p + __builtin_ctzll(t) / 8;
	}
	while (digit(p, e))
		p++;
	return p;
}
#undef ONES
#else
static const char *
digits_end(const char *p, const char *e)
{
	while (digit(p, e))
		p++;
	return p;
}
#endif

/* The end of the number at p, or NULL if it breaks the grammar. */
static const char *
num_end(const char *p, const char *e, struct fail *f)
{
	const char *b = p;

	if (*p == '-')
		p++;
	if (!digit(p, e))
		return failed(f, b, "bad number");
	if (*p++ != '0')
		p = digits_end(p, e);
	if (p < e && *p == '.') {
		if (!digit(++p, e))
			return failed(f, b, "bad number fraction");
		p = digits_end(p, e);
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!digit(p, e))
			return failed(f, b, "bad number exponent");
		p = digits_end(p, e);
	}
	return p;
}

static const char *
lit_end(const char *p, const char *e, const char *lit, size_t n,
    struct fail *f)
{
	if ((size_t)(e - p) < n || memcmp(p, lit, n) != 0)
		return failed(f, p, "unexpected character");
	return p + n;
}

static int esc_eq(const char *, size_t, const char *, size_t);

/*
 * The names looked for (struct jt_names), found by a hash of their first
 * byte and their length: slot[h] is the index of the only name with hash
 * h, NS_NONE, or NS_MANY (then every name is compared).  Most keys that
 * are no name are told so by the slot alone, or by the length.
 */
#define NS_NONE		(-1)
#define NS_MANY		(-2)

static unsigned
hash2(unsigned char c0, size_t n)
{
	return (c0 * 31u + (unsigned)n) & 63;
}

void
jt_names_init(struct jt_names *ns, const char *const *v, size_t n)
{
	ns->v = v;
	ns->n = n;
	memset(ns->slot, NS_NONE, sizeof(ns->slot));
	for (size_t i = 0; i < n; i++) {
		unsigned h = hash2((unsigned char)v[i][0], strlen(v[i]));

		ns->len[i] = strlen(v[i]);
		ns->slot[h] = ns->slot[h] == NS_NONE ? (signed char)i : NS_MANY;
	}
}

const struct jt_names *
jt_names_once(struct jt_names *ns, const char *const *names, size_t n)
{
	if (ns->v != names || ns->n != n)
		jt_names_init(ns, names, n);
	return ns;
}

/*
 * is_name: 1 if the key content k[0..kn), without escapes, is name i
 * of ns.
 */
static inline int
is_name(const struct jt_names *ns, const char *k, size_t kn, int i)
{
	const char *name = ns->v[i];
	size_t j = 0;

	if (kn != ns->len[i])
		return 0;
	while (j < kn && k[j] == name[j])
		j++;
	return j == kn;
}

/* nameset_scan: nameset_find comparing with every name. */
static int
nameset_scan(const struct jt_names *ns, const char *k, size_t kn, int esc)
{
	for (size_t i = 0; i < ns->n; i++)
		if (esc ? esc_eq(k, kn, ns->v[i], ns->len[i]) :
		    is_name(ns, k, kn, (int)i))
			return (int)i;
	return -1;
}

/*
 * nameset_find: the index of the name the key content k[0..kn) is (esc:
 * it has escapes, so it is compared unescaped), or -1.
 */
static inline int
nameset_find(const struct jt_names *ns, const char *k, size_t kn, int esc)
{
	int s;

	if (esc)
		return nameset_scan(ns, k, kn, esc);
	s = ns->slot[hash2(kn > 0 ? (unsigned char)k[0] : 0, kn)];
	if (s >= 0)
		return is_name(ns, k, kn, s) ? s : -1;
	return s == NS_NONE ? -1 : nameset_scan(ns, k, kn, esc);
}

/*
 * found_as: v is the value of name i: out[i] becomes v (the last value
 * of a name repeated wins, as in jansson, and its bit is set in *dup).
 * Returns 1 the first time i is found, else 0.
 */
static int
found_as(struct jv *out, int i, struct jv v, unsigned *seen, unsigned *dup)
{
	int first = !(*seen & 1u << i);

	out[i] = v;
	if (!first)
		*dup |= 1u << i;
	*seen |= 1u << i;
	return first;
}

/* The end of the string, number or literal at p, or NULL. */
static const char *
scalar_end(const char *p, const char *e, struct fail *f)
{
	int esc;

	switch (*p) {
	case '"':
		return str_end(p + 1, e, &esc, f);
	case 't':
		return lit_end(p, e, "true", 4, f);
	case 'f':
		return lit_end(p, e, "false", 5, f);
	case 'n':
		return lit_end(p, e, "null", 4, f);
	default:
		return num_end(p, e, f);
	}
}

/* Is the container at depth d an object, and what closes it. */
#define IN_OBJ(objs, d)	(((objs) >> ((d) - 1)) & 1)
#define CLOSE(objs, d)	(IN_OBJ(objs, d) ? '}' : ']')

/*
 * value_end: p at a value (not white space) inside d0 open containers;
 * returns just after it, or NULL (f says where and why).  Iterative: the
 * kinds of the containers it opens are bits of objs.
 */
static const char *
value_end(const char *p, const char *e, int d0, struct fail *f)
{
	uint64_t objs = 0;	/* bit d - 1: depth d is an object */
	int d = d0, esc;

value:
	if (p >= e)
		return failed(f, p, "missing value");
	if (*p != '{' && *p != '[') {
		if ((p = scalar_end(p, e, f)) == NULL)
			return NULL;
		goto after;
	}
	if (d == JT_MAXDEPTH)
		return failed(f, p, "nested too deeply");
	if (*p == '{')
		objs |= (uint64_t)1 << d;
	else
		objs &= ~((uint64_t)1 << d);
	d++;
	p = ws(p + 1, e);
	if (p < e && *p == CLOSE(objs, d)) {
		p++;
		d--;
		goto after;
	}
	if (IN_OBJ(objs, d))
		goto key;
	goto value;
after:
	if (d == d0)
		return p;
	p = ws(p, e);
	if (p >= e)
		return failed(f, p, "unterminated object or array");
	if (*p == ',') {
		p = ws(p + 1, e);
		if (IN_OBJ(objs, d))
			goto key;
		goto value;
	}
	if (*p != CLOSE(objs, d))
		return failed(f, p, IN_OBJ(objs, d) ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	p++;
	d--;
	goto after;
key:
	if (p >= e || *p != '"')
		return failed(f, p, "expected a member name");
	if ((p = str_end(p + 1, e, &esc, f)) == NULL)
		return NULL;
	p = ws(p, e);
	if (p >= e || *p != ':')
		return failed(f, p, "expected ':'");
	p = ws(p + 1, e);
	goto value;
}

/* ends_text: 0 if only white space is left from p to e, else -1. */
static int
ends_text(const char *p, const char *e, struct fail *f)
{
	if ((p = ws(p, e)) != e) {
		failed(f, p, "text after the value");
		return -1;
	}
	return 0;
}

int
jt_parse(const char *s, size_t len, struct jv *root)
{
	const char *p, *q, *e = s + len;
	struct fail f;

	p = ws(s, e);
	if (p >= e || (*p != '{' && *p != '[') ||
	    (q = value_end(p, e, 0, &f)) == NULL || ends_text(q, e, &f) != 0)
		return -1;
	root->p = p;
	root->n = (size_t)(q - p);
	return 0;
}

/*
 * pick: jt_pick without its report.  The members of the top object are
 * read here, so that only the key of each is looked at for a name;
 * value_end checks each member value that is an object or array.
 */
static int
pick(const char *s, size_t len, const struct jt_names *ns, struct jv *out,
    unsigned *dup, struct fail *f)
{
	const char *p, *q, *e = s + len;
	unsigned seen = 0;
	int found = 0;

	for (size_t i = 0; i < ns->n; i++) {
		out[i].p = NULL;
		out[i].n = 0;
	}
	p = ws(s, e);
	if (p >= e || *p != '{') {
		failed(f, p, p >= e ? "no text" : "not a JSON object");
		return -1;
	}
	p = ws(p + 1, e);
	if (p < e && *p == '}')
		return ends_text(p + 1, e, f) == 0 ? 0 : -1;
	for (;;) {
		int esc = 0, i;

		if (p >= e || *p != '"') {
			failed(f, p, "expected a member name");
			return -1;
		}
		if ((q = str_end(p + 1, e, &esc, f)) == NULL)
			return -1;
		i = nameset_find(ns, p + 1, (size_t)(q - p - 2), esc);
		p = ws(q, e);
		if (p >= e || *p != ':') {
			failed(f, p, "expected ':'");
			return -1;
		}
		p = ws(p + 1, e);
		if (p >= e) {
			failed(f, p, "missing value");
			return -1;
		}
		q = *p == '{' || *p == '[' ? value_end(p, e, 1, f) :
		    scalar_end(p, e, f);
		if (q == NULL)
			return -1;
		if (i >= 0)
			found += found_as(out, i, (struct jv){ p, (size_t)(q - p) },
			    &seen, dup);
		p = ws(q, e);
		if (p < e && *p == ',') {
			p = ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}')
			return ends_text(p + 1, e, f) == 0 ? found : -1;
		failed(f, p, p >= e ? "unterminated object or array" :
		    "expected ',' or '}'");
		return -1;
	}
}

int
jt_pick_names(const char *s, size_t len, const struct jt_names *ns,
    struct jv *out, struct jt_scan *sc)
{
	struct fail f;
	unsigned dup = 0;
	int r = pick(s, len, ns, out, &dup, &f);

	if (sc != NULL) {
		sc->dup = dup;
		sc->at = r < 0 ? (size_t)(f.at - s) : 0;
		sc->why = r < 0 ? f.why : NULL;
	}
	return r;
}

int
jt_pick(const char *s, size_t len, const char *const *names, struct jv *out,
    size_t n, struct jt_scan *sc)
{
	struct jt_names ns;

	if (n > JT_PICK_MAX) {
		if (sc != NULL) {
			sc->dup = 0;
			sc->at = 0;
			sc->why = "too many names";
		}
		return -1;
	}
	jt_names_init(&ns, names, n);
	return jt_pick_names(s, len, &ns, out, sc);
}

/* ---- navigation over valid text ---- */

static const char *
vws(const char *p)
{
	while (cls[(unsigned char)*p] & C_WS)
		p++;
	return p;
}

/*
 * p after an opening quote: just after the closing one; *esc is set if
 * the string has an escape.
 */
static const char *
vstr_esc(const char *p, int *esc)
{
	for (;;) {
		while (!(cls[(unsigned char)*p] & (C_QUOTE | C_BSLASH)))
			p++;
		if (*p == '"')
			return p + 1;
		*esc = 1;
		p += 2;
	}
}

/* vstr_esc, when escapes do not matter (inlined: *esc is dropped). */
static const char *
vstr(const char *p)
{
	int esc;

	return vstr_esc(p, &esc);
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

			while (!(cls[(unsigned char)*p] & (C_QUOTE | C_BRACKET)))
				p++;
			c = *p++;
			if (c == '"')
				p = vstr(p);
			else if (c == '{' || c == '[')
				d++;
			else if (--d == 0)
				return p;
		}
	default:
		while (!(cls[(unsigned char)*p] & (C_END | C_WS)))
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

/*
 * unescape1: the escape at *pp (a backslash, valid) as UTF-8 into out
 * (4 bytes); returns its length and moves *pp past it.
 */
static size_t
unescape1(const char **pp, char *out)
{
	const char *p = *pp + 1;
	unsigned long u;
	char c = *p++;

	*pp = p;
	switch (c) {
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: out[0] = c; return 1;		/* " \ / */
	}
	u = (unsigned long)hex4(p);
	p += 4;
	if (u >= 0xD800 && u <= 0xDBFF) {
		u = 0x10000 + ((u - 0xD800) << 10) +
		    ((unsigned long)hex4(p + 2) - 0xDC00);
		p += 6;
	}
	*pp = p;
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xC0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3F));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xE0 | (u >> 12));
		out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		out[2] = (char)(0x80 | (u & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (u >> 18));
	out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
	out[3] = (char)(0x80 | (u & 0x3F));
	return 4;
}

/*
 * esc_eq: 1 if the string content p[0..n) (valid, escapes allowed),
 * unescaped, is lit[0..ln).
 */
static int
esc_eq(const char *p, size_t n, const char *lit, size_t ln)
{
	const char *e = p + n;
	size_t o = 0, k;
	char u[4];

	/* the common case: no escape, compared as it stands */
	while (o < n && o < ln && p[o] == lit[o] && p[o] != '\\')
		o++;
	if (o == n)
		return o == ln;
	if (p[o] != '\\')
		return 0;	/* differs before any escape */
	p += o;
	while (p < e) {
		if (*p == '\\') {
			k = unescape1(&p, u);
		} else {
			u[0] = *p++;
			k = 1;
		}
		if (ln - o < k || memcmp(lit + o, u, k) != 0)
			return 0;
		o += k;
	}
	return o == ln;
}

int
jt_str(struct jv v, char *buf, size_t cap, const char **s, size_t *n)
{
	const char *p, *e;
	size_t o = 0;

	if (v.p == NULL || v.p[0] != '"')
		return -1;
	if (memchr(v.p + 1, '\\', v.n - 2) == NULL) {
		*s = v.p + 1;
		*n = v.n - 2;
		return 0;
	}
	for (p = v.p + 1, e = v.p + v.n - 1; p < e; ) {
		char u[4];
		size_t k;

		if (*p == '\\') {
			k = unescape1(&p, u);
		} else {
			u[0] = *p++;
			k = 1;
		}
		if (cap - o < k)
			return -1;
		memcpy(buf + o, u, k);
		o += k;
	}
	*s = buf;
	*n = o;
	return 0;
}

int
jt_eq(struct jv v, const char *lit)
{
	if (v.p == NULL || v.p[0] != '"')
		return 0;
	return esc_eq(v.p + 1, v.n - 2, lit, strlen(lit));
}

/*
 * get_walk: the members of the object at p ('{', valid) into out as
 * jt_get says; returns just after the object, and in *found how many
 * names were found.  The members are walked here rather than with
 * jt_next, so that the key's scan says whether it has escapes: venue
 * adapters call this for every book level.
 */
static const char *
get_walk(const char *p, const struct jt_names *ns, struct jv *out,
    size_t *found)
{
	const char *q;
	unsigned seen = 0, dup = 0;

	for (size_t i = 0; i < ns->n; i++) {
		out[i].p = NULL;
		out[i].n = 0;
	}
	*found = 0;
	for (p = vws(p + 1); *p != '}'; p = vws(q)) {
		int esc = 0, i;

		if (*p == ',')
			p = vws(p + 1);
		q = vstr_esc(p + 1, &esc);
		i = nameset_find(ns, p + 1, (size_t)(q - p - 2), esc);
		p = vws(vws(q) + 1);	/* past ':' */
		q = vskip(p);
		if (i >= 0)
			*found += (size_t)found_as(out, i,
			    (struct jv){ p, (size_t)(q - p) }, &seen, &dup);
	}
	return p + 1;
}

size_t
jt_get_names(struct jv obj, const struct jt_names *ns, struct jv *out)
{
	size_t found;

	if (obj.p == NULL || obj.p[0] != '{') {
		for (size_t i = 0; i < ns->n; i++) {
			out[i].p = NULL;
			out[i].n = 0;
		}
		return 0;
	}
	(void)get_walk(obj.p, ns, out, &found);
	return found;
}

size_t
jt_get(struct jv obj, const char *const *names, struct jv *out, size_t n)
{
	struct jt_names ns;

	if (n > JT_PICK_MAX) {
		for (size_t i = 0; i < n; i++) {
			out[i].p = NULL;
			out[i].n = 0;
		}
		return 0;
	}
	jt_names_init(&ns, names, n);
	return jt_get_names(obj, &ns, out);
}

/*
 * next_at: it moved to its next value (past a comma); that value, or
 * NULL at the end.  For jt_next_get and jt_next_pair.
 */
static const char *
next_at(struct jit *it)
{
	const char *p = it->p;

	if (*p == it->close)
		return NULL;
	if (*p == ',')
		p = vws(p + 1);
	return it->p = p;
}

int
jt_next_get(struct jit *it, const struct jt_names *ns, struct jv *out,
    struct jv *val)
{
	const char *p = next_at(it), *q;
	size_t found;

	if (p == NULL) {
		(void)jt_get_names((struct jv){ NULL, 0 }, ns, out);
		return 0;
	}
	if (it->close != ']' || *p != '{')
		goto plain;
	q = get_walk(p, ns, out, &found);
	val->p = p;
	val->n = (size_t)(q - p);
	it->p = vws(q);
	return 1;
plain:
	if (!jt_next(it, NULL, val))
		return 0;
	(void)jt_get_names(*val, ns, out);
	return 1;
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
jt_next_pair(struct jit *it, struct jv *x, struct jv *y, struct jv *val)
{
	const char *p = next_at(it);
	struct jit in;
	struct jv rest;

	x->p = y->p = NULL;
	x->n = y->n = 0;
	if (p == NULL)
		return 0;
	if (it->close != ']' || *p != '[') {
		if (!jt_next(it, NULL, val))
			return 0;
		(void)jt_pair(*val, x, y);
		return 1;
	}
	in.close = ']';
	in.p = vws(p + 1);
	if (!jt_next(&in, NULL, x) || !jt_next(&in, NULL, y)) {
		x->p = y->p = NULL;
		x->n = y->n = 0;
	}
	while (jt_next(&in, NULL, &rest))
		;
	/* in.p is at the element's ']' */
	val->p = p;
	val->n = (size_t)(in.p + 1 - p);
	it->p = vws(in.p + 1);
	return 1;
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
	if (n <= 19) {		/* below 10^19 < 2^64: cannot wrap */
		size_t i = 0;

#ifdef DIGITS8
		for (; n - i >= 8; i += 8) {
			uint64_t x;

			memcpy(&x, s + i, 8);
			if (nondigit(x) != 0)
				return -1;
			v = v * 100000000 + digits8(x);
		}
#endif
		for (; i < n; i++) {
			unsigned d = (unsigned)(s[i] - '0');

			if (d > 9)
				return -1;
			v = v * 10 + d;
		}
		if (v > max)
			return -1;
		*out = v;
		return 0;
	}
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
