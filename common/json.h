/*
 * json.h: tickpipe's one JSON scanner (names jt_, for JSON text; jansson
 * owns json_).  It checks a message strictly, once, and then reads it in
 * place.  The check is RFC 8259 structure and number grammar, string
 * escapes with surrogates paired, strings in well-formed UTF-8 without
 * control characters, nothing after the value but white space, nesting
 * at most JT_MAXDEPTH, the top value an object or array; like jansson's
 * defaults it refuses \u0000.  jt_parse does only that; jt_pick also
 * picks a few members of the top object in the same pass (the routing
 * of a JSONL line).  Values are slices of the text (struct jv): nothing
 * is allocated or copied, numbers keep their exact text.  The readers
 * below assume text one of the two accepted; a struct jv with p == NULL
 * is an absent value (every reader then fails or says "no").
 */
#ifndef TP_JSON_H
#define TP_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JT_MAXDEPTH	64
#define JT_PICK_MAX	16	/* names for jt_pick and jt_get */

/* One value: its text p[0..n) (strings with their quotes). */
struct jv {
	const char	*p;
	size_t		 n;
};

enum jt_type {
	JT_NONE = 0, JT_OBJ, JT_ARR, JT_STR, JT_NUM, JT_TRUE, JT_FALSE,
	JT_NULL,
};

/*
 * jt_parse: checks s[0..len) as one JSON object or array (white space
 * around it allowed) and sets *root to it.  Returns 0, or -1 if the text
 * is not valid JSON.
 */
int	jt_parse(const char *s, size_t len, struct jv *root);

/* What jt_pick says besides the values. */
struct jt_scan {
	unsigned	 dup;	/* bit i: names[i] appeared more than once */
	size_t		 at;	/* invalid: the offset where the text fails */
	const char	*why;	/* invalid: why, a constant string */
};

/*
 * jt_pick: checks s[0..len) exactly as jt_parse does, except that the
 * top value must be an object, and in the same pass sets out[i] to the
 * value of its member named names[i] (n at most JT_PICK_MAX), or absent.
 * Keys written with escapes are compared unescaped; a name repeated gets
 * its last value, as jansson does, and sets bit i of sc->dup.  Members
 * of nested values are never picked.  Returns the number of names found,
 * or -1 if the text is invalid (sc->at and sc->why say where and why).
 * sc may be NULL.
 */
int	jt_pick(const char *s, size_t len, const char *const *names,
	    struct jv *out, size_t n, struct jt_scan *sc);

/*
 * The names for jt_pick_names, prepared once by jt_names_init (names,
 * n at most JT_PICK_MAX, must outlive it): what jt_pick does on each
 * call, for a caller that picks the same names from every line.
 */
struct jt_names {
	const char *const	*v;
	size_t			 n;
	size_t			 len[JT_PICK_MAX];
	signed char		 slot[64];
};

void	jt_names_init(struct jt_names *ns, const char *const *names,
	    size_t n);

/*
 * jt_names_once: ns prepared for names (n of them) unless it already is,
 * as a static ns of a call site with static names is after its first
 * call; returns ns.
 */
const struct jt_names *jt_names_once(struct jt_names *ns,
	    const char *const *names, size_t n);

/* jt_pick_names: jt_pick with the names prepared. */
int	jt_pick_names(const char *s, size_t len, const struct jt_names *ns,
	    struct jv *out, struct jt_scan *sc);

/* jt_type: the type of v (JT_NONE when absent). */
enum jt_type	jt_type(struct jv v);

/* Iteration over an object's members or an array's elements. */
struct jit {
	const char	*p;
	char		 close;
};

/* jt_begin: starts iterating v; returns -1 if v is no object or array. */
int	jt_begin(struct jv v, struct jit *it);

/*
 * jt_next: the next member (key: the key string, may be NULL) or element
 * (key->p set to NULL).  Returns 1, or 0 at the end.
 */
int	jt_next(struct jit *it, struct jv *key, struct jv *val);

/*
 * jt_get: one pass over object obj: out[i] becomes the value of key
 * names[i] (n at most JT_PICK_MAX; the last one if repeated, as jansson
 * does), or absent.  Returns the number of names found (0 if obj is no
 * object).
 */
size_t	jt_get(struct jv obj, const char *const *names, struct jv *out,
	    size_t n);

/* jt_get_names: jt_get with the names prepared (jt_names_init). */
size_t	jt_get_names(struct jv obj, const struct jt_names *ns,
	    struct jv *out);

/*
 * jt_next_get: jt_next over an array (val: the element), and jt_get_names
 * of the element into out, in one pass over it when it is an object
 * (jt_next then jt_get go over it twice).  Returns 1, or 0 at the end
 * (out then absent).
 */
int	jt_next_get(struct jit *it, const struct jt_names *ns,
	    struct jv *out, struct jv *val);

/* jt_member: the value of key name in obj, or absent. */
struct jv	jt_member(struct jv obj, const char *name);

/* jt_index: the i-th element of array a, or absent. */
struct jv	jt_index(struct jv a, size_t i);

/*
 * jt_pair: the first two elements of array a in *x and *y.  Returns 0,
 * or -1 (no array, fewer than two elements: both absent).
 */
int	jt_pair(struct jv a, struct jv *x, struct jv *y);

/*
 * jt_next_pair: jt_next over an array (val: the element), and jt_pair of
 * the element into *x and *y (both absent if it has no two), in one pass
 * over it (jt_next then jt_pair go over it twice).  Returns 1, or 0 at
 * the end.
 */
int	jt_next_pair(struct jit *it, struct jv *x, struct jv *y,
	    struct jv *val);

/* jt_empty: 1 if v is an empty array or object. */
int	jt_empty(struct jv v);

/*
 * jt_str: the content of string v: *s and *n point into the message when
 * it has no escapes, else the unescaped UTF-8 is written to buf (cap
 * bytes) and *s points there.  Returns 0, or -1 if v is no string or
 * does not fit.  The content is not NUL terminated.
 */
int	jt_str(struct jv v, char *buf, size_t cap, const char **s, size_t *n);

/* jt_eq: 1 if v is a string whose content, unescaped, is lit. */
int	jt_eq(struct jv v, const char *lit);

/*
 * jt_u64 / jt_i64: an integer from a JSON integer (no fraction or
 * exponent) or from a string of decimal digits (jt_i64: with an optional
 * leading '-').  Returns 0, or -1 (other types, syntax, out of range).
 * Callers that want numbers only check jt_type(v) == JT_NUM first.
 */
int	jt_u64(struct jv v, uint64_t *out);
int	jt_i64(struct jv v, int64_t *out);

#endif
