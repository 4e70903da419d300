/*
 * route.c: a line to its channel (see route.h).  The line is checked
 * once, by a one-pass scanner that also picks out the routing members;
 * the channel name is built from them and looked up in an open-addressing
 * table (FNV-1a), so that later stages carry a channel as an index.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "json.h"
#include "route.h"
#include "hash.h"

/* The routing members, picked from each line (redispub(1)). */
enum { R_TYPE, R_VENUE, R_SYMBOL, R_SEQ, R_RECV, R_DEPTH, R_IVMS,
	R_INTERVAL, R_STATUS, R_NEW_RING, R_N };
static const char *const route_names[R_N] = {
	"type", "venue", "symbol", "seq", "recv", "depth", "interval_ms",
	"interval", "status", "new_ring",
};
static struct jt_names route_nameset;	/* route_names, by route_init */

/*
 * route_scan: the JSON check of a line and its routing members (one pass
 * of jt_pick).  type, venue and symbol must be strings and appear once;
 * so must seq, if given, be an integer from 0 to 2^63 - 1, as
 * tickpipe-json(5) says integers are: it may become last_seq, the resume
 * point of tickpipe(8), a running maximum that one seq past the ring's
 * would hold for good (redispub(1)).  recv counts only as an integer
 * from 0 to 2^63 - 1, as a time (else 0: not timed, and no last_recv,
 * which one of 2^64 - 1 held for good).  Returns 0, or -1 with the
 * reason in why.
 */
static int
route_scan(const char *l, size_t n, struct jv r[R_N], uint64_t *seq,
    uint64_t *recv, char *why, size_t whylen)
{
	struct jt_scan sc;

	if (jt_pick_names(l, n, &route_nameset, r, &sc) < 0) {
		snprintf(why, whylen, "invalid JSON at byte %zu: %s",
		    sc.at + 1, sc.why);
		return -1;
	}
	if (sc.dup & (1u << R_TYPE | 1u << R_VENUE | 1u << R_SYMBOL)) {
		snprintf(why, whylen, "duplicate routing member (type, venue "
		    "or symbol)");
		return -1;
	}
	for (int i = R_TYPE; i <= R_SYMBOL; i++)
		if (r[i].p != NULL && jt_type(r[i]) != JT_STR) {
			snprintf(why, whylen, "type, venue and symbol must be "
			    "strings");
			return -1;
		}
	*seq = 0;
	if (sc.dup & 1u << R_SEQ) {
		snprintf(why, whylen, "duplicate \"seq\"");
		return -1;
	}
	if (r[R_SEQ].p != NULL && (jt_type(r[R_SEQ]) != JT_NUM ||
	    jt_u64(r[R_SEQ], seq) != 0 || *seq > INT64_MAX)) {
		snprintf(why, whylen, "\"seq\" is not an integer from 0 to "
		    "2^63 - 1");
		return -1;
	}
	if (jt_type(r[R_RECV]) != JT_NUM || jt_u64(r[R_RECV], recv) != 0 ||
	    *recv > INT64_MAX)
		*recv = 0;
	return 0;
}

/* chan_rehash: a new index of size slots (a power of 2) over the table. */
static void
chan_rehash(struct router *rt, uint32_t size)
{
	uint32_t i;

	free(rt->idx);
	rt->idx = calloc(size, sizeof(*rt->idx));
	if (rt->idx == NULL)
		err(EX_OSERR, "calloc");
	rt->idx_mask = size - 1;
	for (i = 0; i < rt->nchans; i++) {
		uint32_t j = rt->chans[i].hash & rt->idx_mask;

		while (rt->idx[j] != 0)
			j = (j + 1) & rt->idx_mask;
		rt->idx[j] = i + 1;
	}
}

/* chan_get: the index of channel name[0..n), added if new; -1 if full. */
static long
chan_get(struct router *rt, const char *name, size_t n)
{
	uint32_t h = fnv1a32(FNV1A32_INIT, name, n), j;
	struct route_chan *c;

	for (j = h & rt->idx_mask; rt->idx[j] != 0;
	    j = (j + 1) & rt->idx_mask) {
		c = &rt->chans[rt->idx[j] - 1];
		if (c->hash == h && c->len == n &&
		    memcmp(c->name, name, n) == 0)
			return (long)(rt->idx[j] - 1);
	}
	if (rt->nchans >= ROUTE_CHAN_MAX)
		return -1;
	if (rt->nchans == rt->chancap) {
		rt->chancap = rt->chancap ? rt->chancap * 2 : 64;
		rt->chans = realloc(rt->chans, rt->chancap *
		    sizeof(*rt->chans));
		if (rt->chans == NULL)
			err(EX_OSERR, "realloc");
	}
	c = &rt->chans[rt->nchans];
	memset(c, 0, sizeof(*c));
	if ((c->name = malloc(n + 1)) == NULL)
		err(EX_OSERR, "malloc");
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	c->len = (uint32_t)n;
	c->hash = h;
	rt->idx[j] = ++rt->nchans;
	if ((uint64_t)rt->nchans * 2 > rt->idx_mask)
		chan_rehash(rt, (rt->idx_mask + 1) * 2);
	return (long)(rt->nchans - 1);
}

/*
 * name_chars: the bytes a venue or symbol may hold (A-Z a-z 0-9 - _ / :
 * +); a table, as name_ok runs twice a line.  Filled by route_init.
 */
static unsigned char name_chars[256];

static void
name_chars_init(void)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_/:+";

	for (const char *c = ok; *c != '\0'; c++)
		name_chars[(unsigned char)*c] = 1;
}

/*
 * The channels of recent lines by the text of their type, venue and
 * symbol (a direct-mapped cache): a line like one seen before gets its
 * channel without naming it, checking its names or hashing.  Only for
 * the channels named PREFIX.VENUE[.SYMBOL].SUFFIX; an entry is made
 * only for names that passed name_ok, so an equal text passes too.
 */
#define MEMO_SIZE	64

struct route_memo {
	uint32_t	chan;		/* index + 1; 0: empty */
	uint8_t		type, vn, sn;	/* sn 0: no symbol (status) */
	char		v[ROUTE_NAME_MAX], s[ROUTE_NAME_MAX];
};

/*
 * memo_slot: the entry for a line of type t with venue v and symbol s
 * (the strings with their quotes; s ignored for a status), or NULL if
 * the channel is not named from them alone or they cannot be names.
 */
static struct route_memo *
memo_slot(const struct router *rt, int t, struct jv v, struct jv *s)
{
	unsigned h;

	if (t == ROUTE_GAP || t == ROUTE_TOP || t == ROUTE_BAR ||
	    v.p == NULL || v.n - 2 - 1 >= ROUTE_NAME_MAX)
		return NULL;
	if (t == ROUTE_STATUS) {
		s->p = "\"\"";	/* no symbol in the channel */
		s->n = 2;
	} else if (s->p == NULL || s->n - 2 - 1 >= ROUTE_NAME_MAX) {
		return NULL;
	}
	h = (unsigned)t * 131 + (unsigned)v.n * 31 + (unsigned)s->n * 7 +
	    (unsigned char)v.p[1] * 3 + (unsigned char)s->p[1] * 17 +
	    (unsigned char)s->p[s->n - 2];
	return &rt->memo[h % MEMO_SIZE];
}

int
route_prefix_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n > ROUTE_PREFIX_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':' || c == '/'))
			return 0;
	}
	return 1;
}

int
route_name_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' &&
		    p[i] <= '9') || p[i] == '-' || p[i] == '_'))
			return 0;
	return 1;
}

void
route_init(struct router *rt, const char *prefix, const char *name)
{
	memset(rt, 0, sizeof(*rt));
	rt->prefix = prefix;
	rt->name = name;
	rt->prefix_len = strlen(prefix);
	chan_rehash(rt, 256);
	if ((rt->memo = calloc(MEMO_SIZE, sizeof(*rt->memo))) == NULL)
		err(EX_OSERR, "calloc");
	name_chars_init();
	jt_names_init(&route_nameset, route_names, R_N);
}

void
route_free(struct router *rt)
{
	uint32_t i;

	for (i = 0; i < rt->nchans; i++)
		free(rt->chans[i].name);
	free(rt->chans);
	free(rt->idx);
	free(rt->memo);
	memset(rt, 0, sizeof(*rt));
}

/*
 * name_ok: a venue or symbol string (v with its quotes) that fits in a
 * channel name; an escape never does.
 */
static int
name_ok(struct jv v)
{
	size_t i;

	if (v.p == NULL || v.n - 2 == 0 || v.n - 2 > ROUTE_NAME_MAX)
		return 0;
	for (i = 1; i < v.n - 1; i++)
		if (!name_chars[(unsigned char)v.p[i]])
			return 0;
	return 1;
}

/* The types by name, for route_type. */
static const struct { const char *s; size_t n; int type; } route_types[] = {
	{ "trade", 5, ROUTE_TRADE }, { "book_snapshot", 13, ROUTE_SNAPSHOT },
	{ "book_delta", 10, ROUTE_DELTA }, { "status", 6, ROUTE_STATUS },
	{ "gap", 3, ROUTE_GAP }, { "quote", 5, ROUTE_QUOTE },
	{ "book_top", 8, ROUTE_TOP }, { "bar", 3, ROUTE_BAR },
	{ "xbest", 5, ROUTE_XBEST },
};
#define ROUTE_NTYPES	(sizeof(route_types) / sizeof(route_types[0]))

/*
 * route_type: the type a "type" names, or -1 with the reason in why.  A
 * name without escapes (every line but a crafted one) is compared as it
 * stands, by length first; one with escapes, unescaped (jt_eq).
 */
static int
route_type(struct jv t, char *why, size_t whylen)
{
	size_t i, n;

	if (t.p == NULL) {
		snprintf(why, whylen, "no \"type\"");
		return -1;
	}
	n = t.n - 2;
	if (memchr(t.p + 1, '\\', n) == NULL) {
		for (i = 0; i < ROUTE_NTYPES; i++)
			if (route_types[i].n == n &&
			    memcmp(route_types[i].s, t.p + 1, n) == 0)
				return route_types[i].type;
	} else {
		for (i = 0; i < ROUTE_NTYPES; i++)
			if (jt_eq(t, route_types[i].s))
				return route_types[i].type;
	}
	snprintf(why, whylen, "unknown type \"%.*s\"",
	    (int)(t.n > 34 ? 32 : t.n - 2), t.p + 1);
	return -1;
}

/*
 * add_name: appends "." and the venue or symbol s to the channel name
 * ch[0..*cl); -1 with the reason in why if s is absent or unfit.
 */
static int
add_name(char *ch, size_t *cl, struct jv s, const char *what, char *why,
    size_t whylen)
{
	if (!name_ok(s)) {
		if (s.p == NULL)
			snprintf(why, whylen, "no \"%s\"", what);
		else
			snprintf(why, whylen, "bad \"%s\" (1-64 of A-Z a-z "
			    "0-9 - _ / : +)", what);
		return -1;
	}
	ch[(*cl)++] = '.';
	memcpy(ch + *cl, s.p + 1, s.n - 2);
	*cl += s.n - 2;
	return 0;
}

/*
 * derived_suffix: appends ".top{depth}-{interval_ms}ms" for a book_top,
 * ".bar-{interval}" for a bar (tickpipe(7)); -1 with the reason in why
 * if the line lacks them or they are unfit.
 */
static int
derived_suffix(int type, const struct jv r[R_N], char *ch, size_t *cl,
    char *why, size_t whylen)
{
	uint64_t d, t;
	size_t i;

	if (type == ROUTE_TOP) {
		if (jt_type(r[R_DEPTH]) != JT_NUM || jt_u64(r[R_DEPTH], &d) ||
		    jt_type(r[R_IVMS]) != JT_NUM || jt_u64(r[R_IVMS], &t) ||
		    d == 0 || d > 100000 || t == 0 || t > 1000000000) {
			snprintf(why, whylen, "book_top without a \"depth\" "
			    "and an \"interval_ms\"");
			return -1;
		}
		*cl += (size_t)sprintf(ch + *cl, ".top%" PRIu64 "-%" PRIu64
		    "ms", d, t);
		return 0;
	}
	if (r[R_INTERVAL].p == NULL || jt_type(r[R_INTERVAL]) != JT_STR ||
	    r[R_INTERVAL].n < 3 || r[R_INTERVAL].n - 2 > 16)
		goto bad;
	for (i = 1; i < r[R_INTERVAL].n - 1; i++) {
		char c = r[R_INTERVAL].p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
			goto bad;
	}
	memcpy(ch + *cl, ".bar-", 5);
	*cl += 5;
	memcpy(ch + *cl, r[R_INTERVAL].p + 1, r[R_INTERVAL].n - 2);
	*cl += r[R_INTERVAL].n - 2;
	return 0;
bad:
	snprintf(why, whylen, "bar without an \"interval\" of 1-16 of 0-9 "
	    "a-z");
	return -1;
}

/*
 * status_loss: a status "resync" of a symbol's book, or of every book of
 * the venue without a symbol (as a standby's takeover), or
 * "disconnected" (of every book of the venue, symbol or not) announces
 * a loss (tickpipe-json(5)): h->loss, and in h->book the one book
 * channel.  A symbol that names no channel (tickpipe-json(5) forbids
 * it; this line is only a status) or a full table end every book of the
 * venue instead: more than needed, never less.
 */
static void
status_loss(struct router *rt, struct jv venue, struct jv sym,
    int one_book, struct outbox_msg *h)
{
	char ch[ROUTE_PREFIX_MAX + 2 * ROUTE_NAME_MAX + 16], why[80];
	size_t cl = rt->prefix_len;
	long ci;

	h->loss = OB_LOSS_STATUS;
	if (!one_book || sym.p == NULL)
		return;
	memcpy(ch, rt->prefix, cl);
	if (add_name(ch, &cl, venue, "venue", why, sizeof(why)) < 0 ||
	    add_name(ch, &cl, sym, "symbol", why, sizeof(why)) < 0)
		return;
	memcpy(ch + cl, ".book", 5);
	cl += 5;
	if ((ci = chan_get(rt, ch, cl)) >= 0)
		h->book = (uint32_t)ci + 1;
}

int
route_line(struct router *rt, const char *l, size_t n, struct outbox_msg *h,
    char *why, size_t whylen)
{
	static const struct { const char *s; size_t n; } suffix[] = {
		[ROUTE_TRADE] = { ".trade", 6 },
		[ROUTE_SNAPSHOT] = { ".book", 5 },
		[ROUTE_DELTA] = { ".book", 5 },
		[ROUTE_STATUS] = { ".status", 7 },
		[ROUTE_GAP] = { ".gap", 4 },
		[ROUTE_QUOTE] = { ".quote", 6 },
		[ROUTE_TOP] = { "", 0 },	/* by derived_suffix */
		[ROUTE_BAR] = { "", 0 },
		[ROUTE_XBEST] = { ".xbest", 6 },
	};
	struct jv r[R_N];
	uint64_t seq, recv;
	char ch[ROUTE_PREFIX_MAX + 2 * ROUTE_NAME_MAX + 80];
	size_t cl;
	long ci;
	int type;
	struct route_memo *m;
	struct jv sym;

	if (route_scan(l, n, r, &seq, &recv, why, whylen) < 0)
		return -1;
	if ((type = route_type(r[R_TYPE], why, whylen)) < 0)
		return -1;
	sym = r[R_SYMBOL];
	if ((m = memo_slot(rt, type, r[R_VENUE], &sym)) != NULL &&
	    m->chan != 0 && m->type == type && m->vn == r[R_VENUE].n - 2 &&
	    m->sn == sym.n - 2 && memcmp(m->v, r[R_VENUE].p + 1, m->vn) == 0 &&
	    memcmp(m->s, sym.p + 1, m->sn) == 0) {
		ci = (long)m->chan - 1;
		goto found;
	}
	memcpy(ch, rt->prefix, rt->prefix_len);
	cl = rt->prefix_len;
	if (type == ROUTE_GAP && rt->name != NULL) {
		ch[cl++] = '.';
		memcpy(ch + cl, rt->name, strlen(rt->name));
		cl += strlen(rt->name);
	}
	if (type != ROUTE_GAP &&
	    add_name(ch, &cl, r[R_VENUE], "venue", why, whylen) < 0)
		return -1;
	if (type != ROUTE_GAP && type != ROUTE_STATUS &&
	    add_name(ch, &cl, r[R_SYMBOL], "symbol", why, whylen) < 0)
		return -1;
	memcpy(ch + cl, suffix[type].s, suffix[type].n);
	cl += suffix[type].n;
	if ((type == ROUTE_TOP || type == ROUTE_BAR) &&
	    derived_suffix(type, r, ch, &cl, why, whylen) < 0)
		return -1;
	if ((ci = chan_get(rt, ch, cl)) < 0) {
		snprintf(why, whylen, "too many channels");
		return -1;
	}
	if (m != NULL) {
		m->chan = (uint32_t)ci + 1;
		m->type = (uint8_t)type;
		m->vn = (uint8_t)(r[R_VENUE].n - 2);
		m->sn = (uint8_t)(sym.n - 2);
		memcpy(m->v, r[R_VENUE].p + 1, m->vn);
		memcpy(m->s, sym.p + 1, m->sn);
	}
found:
	h->type = (uint8_t)type;
	h->chan = (uint32_t)ci;
	h->seq = seq;
	h->recv = recv;
	h->loss = OB_LOSS_NONE;
	h->book = 0;
	if (type == ROUTE_GAP)
		h->loss = jt_type(r[R_NEW_RING]) == JT_TRUE ?
		    OB_LOSS_NEW_RING : OB_LOSS_GAP;
	if (type == ROUTE_STATUS && jt_eq(r[R_STATUS], "resync"))
		status_loss(rt, r[R_VENUE], r[R_SYMBOL], 1, h);
	else if (type == ROUTE_STATUS && jt_eq(r[R_STATUS], "disconnected"))
		status_loss(rt, r[R_VENUE], r[R_SYMBOL], 0, h);
	return 0;
}

const char *
route_venue(const struct router *rt, const struct outbox_msg *h, size_t *n)
{
	const struct route_chan *c = &rt->chans[h->chan];
	const char *v, *dot;

	if (h->type == ROUTE_GAP)
		return NULL;
	v = c->name + rt->prefix_len + 1;
	dot = memchr(v, '.', c->len - rt->prefix_len - 1);
	*n = dot != NULL ? (size_t)(dot - v) : 0;
	return dot != NULL ? v : NULL;
}

void
route_new_connection(struct router *rt)
{
	uint32_t i;

	for (i = 0; i < rt->nchans; i++) {
		rt->chans[i].announced = 0;
		rt->chans[i].snap_ok = 0;
		rt->chans[i].cleared = 0;
		rt->chans[i].marked = 0;
	}
}
