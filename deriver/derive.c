/*
 * derive.c: the derived streams from whole input messages (derive.h).
 *
 * A market is one venue and symbol: its full book (two sorted sides of
 * levels), whether the book is valid (a snapshot came since the last
 * resync status or input gap), the last quote emitted, a dirty mark per
 * top-N stream and an open bar per interval.  A symbol groups the
 * markets of every venue quoting it, for the cross-venue best price.
 * Times are the input records' own: ts (venue time) for bars and top-N
 * intervals, recv (the collector's clock, common to all venues) for
 * staleness.  See deriver(1) for what is emitted when.
 */
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <stdio.h>

#include "dec.h"
#include "derive.h"
#include "hash.h"
#include "jsonl.h"

__extension__ typedef __int128 i128;

__extension__ typedef unsigned __int128 u128;

struct level {
	int64_t		pm, qm;		/* price and quantity mantissas */
	int8_t		pe, qe;
};

/*
 * A side of a book: its levels in order, best first, in blocks of at
 * most LBLOCK, none empty, so that a level set anywhere moves at most a
 * block's levels (a sorted array moved all of them: a venue sending ever
 * better prices cost O(n) each).  At most DERIVE_MAX_LEVELS in all.
 */
#define LBLOCK		256
#define LBLOCK_MIN	4	/* a block's first room: most books are small */

struct lblock {
	size_t		 n, cap;	/* cap: a power of two to LBLOCK */
	struct level	 lv[];
};

struct side {
	struct lblock	**b;
	size_t		 nb, bcap;	/* blocks */
	size_t		 n;		/* levels */
	int		 asks;		/* 1: ascending prices */
};

/* an exact sum: mantissa s * 10^e, e the finest exponent added */
/*
 * A sum of decimals, exact: s * 10^e, e no finer than it must be to hold
 * what was added (trailing zeros are dropped when aligning the terms
 * needs it, so that 10^40 * 0.0...01 does not take 10^80), and fine the
 * finest exponent added, which sum_out gives back when it can.
 */
struct sum {
	i128		 s;
	int		 e, fine;
	int		 any;
};

struct bar {
	int		 started;	/* a trade was seen: bars run */
	int		 partial;	/* the open bar began before the input */
	int64_t		 start;		/* of the open bar, ns */
	uint64_t	 trades;
	struct level	 open, high, low, close;	/* prices in pm, pe */
	int		 min_pe;	/* finest price exponent */
	struct sum	 vol, buy, sell, pq;
	int		 overflow;	/* a volume past 128 bits */
	int		 pq_overflow;	/* sum(price * qty) past 128 bits */
};

struct market {
	uint16_t	 venue;
	char		 symbol[REC_SYMBOL_LEN];
	struct side	 bids, asks;
	int		 booked;	/* a book record was seen */
	int		 taken;		/* a record of it was taken */
	int64_t		 first_ts;	/* of its first record taken */
	int		 valid;
	uint8_t		 why;		/* XB_WHY_* while not valid */
	int64_t		 change_recv;	/* recv of the last book change */
	/* the last book message applied */
	uint64_t	 src_seq;
	int64_t		 src_ts, src_recv;
	struct rec_quote quote;		/* last quote emitted */
	int		 quoted;
	int		 dirty[DERIVE_MAX_TOPS];
	int64_t		 dirty_bucket[DERIVE_MAX_TOPS];
	struct bar	 bar[DERIVE_MAX_BARS];
	int		 ahead_said;	/* ahead said, at: */
	int64_t		 ahead_said_recv;
	struct market	*sym_next;	/* next market of the same symbol */
	struct sym	*sym;
	struct market	*next;		/* in the order of creation */
};

struct sym {
	char		 symbol[REC_SYMBOL_LEN];
	struct market	*markets;	/* booked ones, by venue id */
	struct rec_xbest last;
	int		 emitted;
	struct sym	*next;		/* in the order of creation */
};

struct derive {
	struct derive_config cfg;
	derive_out_fn	*out;
	void		*arg;
	struct derive_stats st;
	struct market	**mk;		/* open addressing by venue+symbol */
	size_t		 nmk, mkcap;
	struct sym	**sy;
	size_t		 nsy, sycap;
	/* both in the order of creation, for a deterministic output order */
	struct market	*mfirst, **mlast;
	struct sym	*sfirst, **slast;
	struct tp_record *obuf;		/* an output message */
	size_t		 obufn;
	int		 late;		/* derive_late_start */
	int		 full_said;	/* markets_full said, at: */
	int64_t		 full_said_recv;
};

/* --- exact arithmetic --- */

static int
pow10_i128(int k, i128 *out)
{
	i128 v = 1;

	if (k < 0 || k > 38)
		return -1;
	while (k-- > 0)
		v *= 10;
	*out = v;
	return 0;
}

/* strip_to: *v * 10^*e with its trailing zeros dropped, *e up to to. */
static void
strip_to(i128 *v, int *e, int to)
{
	while (*e < to && *v != 0) {
		if (*v >= INT64_MIN && *v <= INT64_MAX) {
			int64_t w = (int64_t)*v;	/* the usual case */

			if (w % 10 != 0)
				return;
			*v = w / 10;
		} else {
			if (*v % 10 != 0)
				return;
			*v /= 10;
		}
		(*e)++;
	}
}

/*
 * sum_add128: s += v * 10^e exactly; -1 on overflow of the running sum.
 * The term at the finer exponent first drops the trailing zeros it has
 * down to the other's, so that only the digits the sum needs are scaled.
 */
static int
sum_add128(struct sum *s, i128 v, int e)
{
	i128 f;

	if (!s->any) {
		s->s = 0;
		s->e = s->fine = e;
		s->any = 1;
	}
	if (e < s->fine)
		s->fine = e;
	if (v == 0)
		return 0;
	if (s->s == 0) {
		s->s = v;
		s->e = e;
		return 0;
	}
	if (e < s->e)
		strip_to(&v, &e, s->e);
	else if (e > s->e)
		strip_to(&s->s, &s->e, e);
	if (e < s->e) {
		if (pow10_i128(s->e - e, &f) < 0 ||
		    __builtin_mul_overflow(s->s, f, &s->s))
			return -1;
		s->e = e;
	} else if (e > s->e) {
		if (pow10_i128(e - s->e, &f) < 0 ||
		    __builtin_mul_overflow(v, f, &v))
			return -1;
	}
	return __builtin_add_overflow(s->s, v, &s->s) ? -1 : 0;
}

/* sum_add: s += m * 10^e exactly; -1 on overflow. */
static int
sum_add(struct sum *s, int64_t m, int e)
{
	return sum_add128(s, m, e);
}

/* sum_add_product: s += (m1 * 10^e1) * (m2 * 10^e2); -1 on overflow. */
static int
sum_add_product(struct sum *s, int64_t m1, int e1, int64_t m2, int e2)
{
	return sum_add128(s, (i128)m1 * m2, e1 + e2);
}

/*
 * sum_out: the sum as an int64 mantissa and exponent, the sum's own (the
 * finest exponent added) if the mantissa fits; else, as a record holds a
 * decimal (tickpipe-json(5), Decimals), with the trailing zeros it needs
 * moved into the exponent, one at a time, so that it fits: 5 * 10^18
 * twice is (10^18, 1).  The value is never rounded: -1 if it cannot be
 * stored exactly.
 */
static int
sum_out(const struct sum *s, int64_t *m, int8_t *e)
{
	i128 v;
	int x;

	if (!s->any) {
		*m = 0;
		*e = 0;
		return 0;
	}
	v = s->s;
	x = s->e;
	while (v > INT64_MAX || v < INT64_MIN) {
		if (v % 10 != 0)
			return -1;
		v /= 10;
		x++;
	}
	/* back to the finest exponent added, as far as the mantissa fits */
	while (x > s->fine && v <= INT64_MAX / 10 && v >= INT64_MIN / 10) {
		v *= 10;
		x--;
	}
	if (x < DEC_EXP_MIN || x > DEC_EXP_MAX)
		return -1;
	*m = (int64_t)v;
	*e = (int8_t)x;
	return 0;
}

/*
 * vwap: sum(price * qty) / sum(qty) rounded half-even to exponent out_e,
 * exactly: long division, one digit at a time, so that no intermediate
 * value overflows whatever the exponents.  Returns 0 and sets *m, or -1
 * if the result does not fit in an int64 at out_e (or the volume is not
 * above 0).
 */
static int
vwap(const struct sum *pq, const struct sum *q, int out_e, int64_t *m)
{
	u128 num, den, lim, quo, rem, p, x;
	int k = pq->e - q->e - out_e, neg = pq->s < 0, up;

	if (!pq->any || !q->any || q->s <= 0)
		return -1;
	/* a negative price (tickpipe-json(5)): half-even is symmetric */
	num = neg ? -(u128)pq->s : (u128)pq->s;
	den = (u128)q->s;
	lim = neg ? (u128)INT64_MAX + 1 : (u128)INT64_MAX;
	quo = num / den;
	rem = num % den;
	if (k >= 0) {
		for (; k > 0; k--) {
			unsigned digit = 0;

			if (quo > lim)
				return -1;
			/* rem * 10 = digit * den + x, with rem < den < 2^127 */
			x = 0;
			for (int i = 0; i < 10; i++) {
				x += rem;
				if (x >= den) {
					x -= den;
					digit++;
				}
			}
			quo = quo * 10 + digit;
			rem = x;
		}
		up = 2 * rem > den || (2 * rem == den && (quo & 1) != 0);
	} else if (-k > 38) {
		/* (quo + rem / den) / 10^-k < 2^128 / 10^39 < 1/2 */
		quo = 0;
		up = 0;
	} else {
		for (p = 1; k < 0; k++)
			p *= 10;
		x = quo % p;
		quo /= p;
		/* the fraction (x + rem / den) / p against 1/2 */
		up = x > p / 2 || (x == p / 2 && (rem > 0 || (quo & 1) != 0));
	}
	if (up)
		quo++;
	if (quo > lim)
		return -1;
	*m = neg && quo > 0 ? -(int64_t)(quo - 1) - 1 : (int64_t)quo;
	return 0;
}

/* --- books --- */

/* side_cmp: <0 if level l comes before price (m, e) in side s, 0 if at. */
static int
side_cmp(const struct side *s, const struct level *l, int64_t m, int e)
{
	int c = dec_cmp(l->pm, l->pe, m, e);

	return s->asks ? c : -c;	/* bids: descending */
}

static const struct level *
side_best(const struct side *s)
{
	return s->n > 0 ? &s->b[0]->lv[0] : NULL;
}

/* side_clear: empties s, its memory given back. */
static void
side_clear(struct side *s)
{
	for (size_t i = 0; i < s->nb; i++)
		free(s->b[i]);
	free(s->b);
	s->b = NULL;
	s->nb = s->bcap = s->n = 0;
}

/*
 * side_find: the position of price (m, e) in s, block *bi and index *at:
 * 1 if a level is there, 0 if it goes there (*at may be the block's n).
 */
static int
side_find(const struct side *s, int64_t m, int e, size_t *bi, size_t *at)
{
	size_t lo = 0, hi = s->nb;
	const struct lblock *b;

	/* the first block whose last level is not before the price */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		b = s->b[mid];
		if (side_cmp(s, &b->lv[b->n - 1], m, e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->nb) {	/* past the last level: at the end */
		*bi = s->nb > 0 ? s->nb - 1 : 0;
		*at = s->nb > 0 ? s->b[*bi]->n : 0;
		return 0;
	}
	*bi = lo;
	b = s->b[lo];
	lo = 0;
	hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = side_cmp(s, &b->lv[mid], m, e);

		if (c == 0) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

/*
 * side_block_add: a new empty block of room for cap levels at index bi of
 * s; -1 if out of memory.
 */
static int
side_block_add(struct side *s, size_t bi, size_t cap)
{
	struct lblock *nb;

	if (s->nb == s->bcap) {
		size_t cap = s->bcap ? s->bcap * 2 : 4;
		struct lblock **t = realloc(s->b, cap * sizeof(*t));

		if (t == NULL)
			return -1;
		s->b = t;
		s->bcap = cap;
	}
	if ((nb = malloc(sizeof(*nb) + cap * sizeof(nb->lv[0]))) == NULL)
		return -1;
	nb->n = 0;
	nb->cap = cap;
	memmove(&s->b[bi + 1], &s->b[bi], (s->nb - bi) * sizeof(*s->b));
	s->b[bi] = nb;
	s->nb++;
	return 0;
}

/*
 * side_set: sets a level (qty 0 removes it).  1 if the side changed (as
 * printed: a price or quantity written otherwise is a change), 0 if not,
 * -1 if out of memory, -2 if it would hold more than DERIVE_MAX_LEVELS.
 */
static int
side_set(struct side *s, int64_t pm, int8_t pe, int64_t qm, int8_t qe)
{
	size_t bi, at;
	int found = side_find(s, pm, pe, &bi, &at);
	struct lblock *b;

	if (qm == 0) {
		if (!found)
			return 0;
		b = s->b[bi];
		memmove(&b->lv[at], &b->lv[at + 1], (b->n - at - 1) *
		    sizeof(*b->lv));
		s->n--;
		if (--b->n == 0) {	/* no empty block: memory given back */
			free(b);
			memmove(&s->b[bi], &s->b[bi + 1], (s->nb - bi - 1) *
			    sizeof(*s->b));
			s->nb--;
		}
		return 1;
	}
	if (found) {
		struct level *l = &s->b[bi]->lv[at];

		if (l->pm == pm && l->pe == pe && l->qm == qm && l->qe == qe)
			return 0;
		l->pm = pm;
		l->pe = pe;
		l->qm = qm;
		l->qe = qe;
		return 1;
	}
	if (s->n >= DERIVE_MAX_LEVELS)
		return -2;
	if (s->nb == 0 && side_block_add(s, 0, LBLOCK_MIN) < 0)
		return -1;
	b = s->b[bi];
	if (b->n == b->cap && b->cap < LBLOCK) {
		b = realloc(b, sizeof(*b) + 2 * b->cap * sizeof(b->lv[0]));
		if (b == NULL)
			return -1;
		b->cap *= 2;
		s->b[bi] = b;
	}
	if (b->n == LBLOCK) {	/* split: the upper half moves */
		if (side_block_add(s, bi + 1, LBLOCK) < 0)
			return -1;
		memcpy(s->b[bi + 1]->lv, &s->b[bi]->lv[LBLOCK / 2],
		    (LBLOCK / 2) * sizeof(struct level));
		s->b[bi + 1]->n = LBLOCK / 2;
		s->b[bi]->n = LBLOCK / 2;
		if (at > LBLOCK / 2) {
			at -= LBLOCK / 2;
			bi++;
		}
	}
	b = s->b[bi];
	memmove(&b->lv[at + 1], &b->lv[at], (b->n - at) * sizeof(*b->lv));
	b->n++;
	s->n++;
	b->lv[at].pm = pm;
	b->lv[at].pe = pe;
	b->lv[at].qm = qm;
	b->lv[at].qe = qe;
	return 1;
}

/* --- tables --- */

static uint32_t
mk_hash(unsigned venue, const char *symbol)
{
	uint32_t h = fnv1a32(FNV1A32_INIT, &venue, sizeof(venue));

	return fnv1a32(h, symbol, strnlen(symbol, REC_SYMBOL_LEN));
}

static struct sym *
sym_get(struct derive *d, const char *symbol)
{
	struct sym *s;
	size_t j;

	if (d->nsy * 2 >= d->sycap) {
		size_t cap = d->sycap ? d->sycap * 2 : 64;
		struct sym **t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return NULL;
		for (size_t i = 0; i < d->sycap; i++) {
			if (d->sy[i] == NULL)
				continue;
			j = mk_hash(0, d->sy[i]->symbol) & (cap - 1);
			while (t[j] != NULL)
				j = (j + 1) & (cap - 1);
			t[j] = d->sy[i];
		}
		free(d->sy);
		d->sy = t;
		d->sycap = cap;
	}
	for (j = mk_hash(0, symbol) & (d->sycap - 1); d->sy[j] != NULL;
	    j = (j + 1) & (d->sycap - 1))
		if (strncmp(d->sy[j]->symbol, symbol, REC_SYMBOL_LEN) == 0)
			return d->sy[j];
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	memcpy(s->symbol, symbol, REC_SYMBOL_LEN);
	d->sy[j] = s;
	d->nsy++;
	*d->slast = s;
	d->slast = &s->next;
	return s;
}

/*
 * mk_get: the market of venue and symbol, made if new.  NULL if out of
 * memory, or, *full set, if it is new and DERIVE_MAX_MARKETS are made.
 */
static struct market *
mk_get(struct derive *d, unsigned venue, const char *symbol, int *full)
{
	struct market *m;
	size_t j;

	*full = 0;

	if (d->nmk * 2 >= d->mkcap) {
		size_t cap = d->mkcap ? d->mkcap * 2 : 64;
		struct market **t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return NULL;
		for (size_t i = 0; i < d->mkcap; i++) {
			if (d->mk[i] == NULL)
				continue;
			j = mk_hash(d->mk[i]->venue, d->mk[i]->symbol) &
			    (cap - 1);
			while (t[j] != NULL)
				j = (j + 1) & (cap - 1);
			t[j] = d->mk[i];
		}
		free(d->mk);
		d->mk = t;
		d->mkcap = cap;
	}
	for (j = mk_hash(venue, symbol) & (d->mkcap - 1); d->mk[j] != NULL;
	    j = (j + 1) & (d->mkcap - 1))
		if (d->mk[j]->venue == venue && strncmp(d->mk[j]->symbol,
		    symbol, REC_SYMBOL_LEN) == 0)
			return d->mk[j];
	if (d->nmk >= DERIVE_MAX_MARKETS) {
		*full = 1;
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->venue = (uint16_t)venue;
	memcpy(m->symbol, symbol, REC_SYMBOL_LEN);
	m->asks.asks = 1;
	m->why = XB_WHY_RESYNC;
	if ((m->sym = sym_get(d, symbol)) == NULL) {
		free(m);
		return NULL;
	}
	d->mk[j] = m;
	d->nmk++;
	*d->mlast = m;
	d->mlast = &m->next;
	return m;
}

/* --- output --- */

/* A derived record's header, stamped with the input record's times. */
static void
head(struct tp_record *r, unsigned type, unsigned venue, const char *symbol,
    uint64_t src_seq, int64_t ts, int64_t recv)
{
	memset(r, 0, sizeof(*r));
	r->type = (uint16_t)type;
	r->venue = (uint16_t)venue;
	memcpy(r->symbol, symbol, REC_SYMBOL_LEN);
	r->vseq = src_seq;
	r->ts = ts;
	r->recv = recv;
}

static void
emit(struct derive *d, struct tp_record *recs, size_t n)
{
	d->out(d->arg, recs, n);
}

/* quote: if the best bid or ask changed since the last quote. */
static void
emit_quote(struct derive *d, struct market *m)
{
	struct tp_record r;
	struct rec_quote q;

	memset(&q, 0, sizeof(q));
	if (m->bids.n > 0) {
		q.has_bid = 1;
		q.bid = side_best(&m->bids)->pm;
		q.bid_exp = side_best(&m->bids)->pe;
		q.bid_qty = side_best(&m->bids)->qm;
		q.bid_qty_exp = side_best(&m->bids)->qe;
	}
	if (m->asks.n > 0) {
		q.has_ask = 1;
		q.ask = side_best(&m->asks)->pm;
		q.ask_exp = side_best(&m->asks)->pe;
		q.ask_qty = side_best(&m->asks)->qm;
		q.ask_qty_exp = side_best(&m->asks)->qe;
	}
	if (m->quoted && memcmp(&q, &m->quote, sizeof(q)) == 0)
		return;
	m->quote = q;
	m->quoted = 1;
	if (!d->cfg.quotes)
		return;
	head(&r, REC_QUOTE, m->venue, m->symbol, m->src_seq, m->src_ts,
	    m->src_recv);
	r.u.quote = q;
	d->st.quotes++;
	emit(d, &r, 1);
}

/*
 * emit_top: the best depth levels a side of m's book as one book_top
 * message of ceil(levels / REC_BOOK_LEVELS) records (at least one),
 * stamped with the last book message applied.
 */
static void
emit_top(struct derive *d, struct market *m, unsigned t)
{
	size_t depth = d->cfg.top_depth[t];
	size_t nb = m->bids.n < depth ? m->bids.n : depth;
	size_t na = m->asks.n < depth ? m->asks.n : depth;
	size_t nlev = nb + na, n = nlev == 0 ? 1 : (nlev + REC_BOOK_LEVELS - 1) /
	    REC_BOOK_LEVELS;
	struct tp_record *recs = d->obuf;

	for (size_t k = 0; k < n; k++) {
		head(&recs[k], REC_BOOK_TOP, m->venue, m->symbol, m->src_seq,
		    m->src_ts, m->src_recv);
		recs[k].u.top.depth = (uint16_t)depth;
		recs[k].u.top.interval_ms = d->cfg.top_ms[t];
	}
	/* a cursor in the blocks of the side being written */
	const struct side *sd = &m->bids;
	size_t bi = 0, at = 0;

	for (size_t i = 0; i < nlev; i++) {
		const struct level *l;
		struct rec_top *tp = &recs[i / REC_BOOK_LEVELS].u.top;
		size_t j = i % REC_BOOK_LEVELS;

		if (i == nb) {
			sd = &m->asks;
			bi = at = 0;
		}
		l = &sd->b[bi]->lv[at];
		if (++at == sd->b[bi]->n) {
			bi++;
			at = 0;
		}
		tp->price[j] = l->pm;
		tp->price_exp[j] = l->pe;
		tp->qty[j] = l->qm;
		tp->qty_exp[j] = l->qe;
		if (i < nb)
			tp->nbids++;
		else
			tp->nasks++;
	}
	recs[0].flags |= REC_F_START;
	recs[n - 1].flags |= REC_F_LAST;
	d->st.tops++;
	emit(d, recs, n);
}

static void
emit_status(struct derive *d, unsigned venue, const char *symbol,
    unsigned code, const struct tp_record *at, const char *reason)
{
	struct tp_record r;

	memset(&r, 0, sizeof(r));
	r.type = REC_STATUS;
	r.venue = (uint16_t)venue;
	if (symbol != NULL)
		memcpy(r.symbol, symbol, REC_SYMBOL_LEN);
	if (at != NULL) {
		r.ts = at->ts;
		r.recv = at->recv;
	}
	r.u.status.code = (uint16_t)code;
	snprintf(r.u.status.reason, sizeof(r.u.status.reason), "%s", reason);
	d->st.statuses++;
	emit(d, &r, 1);
}

/* Emits the bar of b (interval i) closed by the record (seq, ts, recv). */
static void
emit_bar(struct derive *d, struct market *m, unsigned i, struct bar *b,
    uint64_t seq, int64_t ts, int64_t recv)
{
	struct tp_record r;
	struct rec_bar *o = &r.u.bar;
	int64_t ns = (int64_t)d->cfg.bar_ms[i] * 1000000;
	const char *what;
	int fe;

	if (b->partial) {
		char why[REC_REASON_LEN], iv[24];

		b->partial = 0;
		d->st.unread++;
		jsonl_interval_name(d->cfg.bar_ms[i], iv, sizeof(iv));
		snprintf(why, sizeof(why), "deriver: bar of %s from %" PRId64
		    " not emitted: it began before the first record read",
		    iv, b->start);
		head(&r, REC_STATUS, m->venue, m->symbol, 0, ts, recv);
		emit_status(d, m->venue, m->symbol, ST_INFO, &r, why);
		return;
	}
	head(&r, REC_BAR, m->venue, m->symbol, seq, ts, recv);
	o->start = b->start;
	o->end = b->start + ns;
	o->interval_ms = d->cfg.bar_ms[i];
	o->trades = b->trades;
	if (b->overflow || sum_out(&b->vol, &o->volume, &o->volume_exp) < 0 ||
	    sum_out(&b->buy, &o->buy_volume, &o->buy_volume_exp) < 0 ||
	    sum_out(&b->sell, &o->sell_volume, &o->sell_volume_exp) < 0) {
		what = "its volumes do not fit";
		goto overflow;
	}
	if (b->trades > 0) {
		o->open = b->open.pm;
		o->open_exp = b->open.pe;
		o->high = b->high.pm;
		o->high_exp = b->high.pe;
		o->low = b->low.pm;
		o->low_exp = b->low.pe;
		o->close = b->close.pm;
		o->close_exp = b->close.pe;
		if (o->volume == 0) {
			/* every trade of quantity 0: no weights */
			o->vwap = b->close.pm;
			o->vwap_exp = b->close.pe;
		} else if (b->pq_overflow) {
			what = "its sum of price * qty does not fit in 128 bits";
			goto overflow;
		} else {
			/* 4 decimals more than the finest price's (none for a
			   price kept with a positive exponent), or the most
			   that fit; it lies between the low and the high, so
			   that of the largest price's exponent does */
			fe = (b->min_pe < 0 ? b->min_pe : 0) -
			    DERIVE_VWAP_DIGITS;
			if (fe < DEC_EXP_MIN)
				fe = DEC_EXP_MIN;
			while (vwap(&b->pq, &b->vol, fe, &o->vwap) < 0)
				if (++fe > DEC_EXP_MAX) {
					what = "its vwap does not fit";
					goto overflow;
				}
			o->vwap_exp = (int8_t)fe;
		}
	}
	d->st.bars++;
	emit(d, &r, 1);
	return;
overflow:
	d->st.overflow++;
	{
		char why[REC_REASON_LEN], iv[24];

		jsonl_interval_name(d->cfg.bar_ms[i], iv, sizeof(iv));
		snprintf(why, sizeof(why), "deriver: bar of %s from %" PRId64
		    " not emitted: %s", iv, b->start, what);
		head(&r, REC_STATUS, m->venue, m->symbol, 0, ts, recv);
		emit_status(d, m->venue, m->symbol, ST_INFO, &r, why);
	}
}

static void
bar_reset(struct bar *b, int64_t start)
{
	b->start = start;
	b->trades = 0;
	b->min_pe = DEC_EXP_MAX;
	memset(&b->vol, 0, sizeof(b->vol));
	memset(&b->buy, 0, sizeof(b->buy));
	memset(&b->sell, 0, sizeof(b->sell));
	memset(&b->pq, 0, sizeof(b->pq));
	b->overflow = 0;
	b->pq_overflow = 0;
}

/*
 * ended: the bar b of ns ns ends at or before ts.  Without start + ns,
 * which does not fit for a bar that began within ns of the last
 * representable time (tickpipe-json(5) allows any int64 ts): that bar
 * never ends.
 */
static int
ended(const struct bar *b, int64_t ts, int64_t ns)
{
	return ts >= b->start &&
	    (uint64_t)ts - (uint64_t)b->start >= (uint64_t)ns;
}

/*
 * tick: the record (seq, ts, recv) of market m passed: flush the top-N
 * books changed in an interval before ts's, close the bars ending at or
 * before ts (with empty ones for intervals without trades).
 */
static void
tick(struct derive *d, struct market *m, const struct tp_record *r)
{
	for (unsigned t = 0; t < d->cfg.ntops; t++) {
		int64_t ns = (int64_t)d->cfg.top_ms[t] * 1000000;

		if (m->dirty[t] && r->ts / ns > m->dirty_bucket[t]) {
			m->dirty[t] = 0;
			if (m->valid)
				emit_top(d, m, t);
		}
	}
	for (unsigned i = 0; i < d->cfg.nbars; i++) {
		struct bar *b = &m->bar[i];
		int64_t ns = (int64_t)d->cfg.bar_ms[i] * 1000000;
		uint64_t empty;

		if (!b->started || !ended(b, r->ts, ns))
			continue;
		empty = b->trades == 0;	/* the open bar, if empty, counts */
		emit_bar(d, m, i, b, r->seq, r->ts, r->recv);
		bar_reset(b, b->start + ns);
		while (ended(b, r->ts, ns) && empty < DERIVE_EMPTY_BARS_MAX) {
			emit_bar(d, m, i, b, r->seq, r->ts, r->recv);
			bar_reset(b, b->start + ns);
			empty++;
		}
		if (ended(b, r->ts, ns)) {
			char why[REC_REASON_LEN];
			char iv[24];
			int64_t skip = (int64_t)(((uint64_t)r->ts -
			    (uint64_t)b->start) / (uint64_t)ns);

			jsonl_interval_name(d->cfg.bar_ms[i], iv, sizeof(iv));
			snprintf(why, sizeof(why), "deriver: %" PRId64 " empty "
			    "bars of %s not emitted (more than %d at once)",
			    skip, iv, DERIVE_EMPTY_BARS_MAX);
			emit_status(d, m->venue, m->symbol, ST_INFO, r, why);
			bar_reset(b, b->start + skip * ns);
		}
	}
}

static void
bar_trade(struct derive *d, struct market *m, const struct tp_record *r)
{
	const struct rec_trade *t = &r->u.trade;
	struct level p = { t->price, 0, t->price_exp, 0 };

	for (unsigned i = 0; i < d->cfg.nbars; i++) {
		struct bar *b = &m->bar[i];
		int64_t ns = (int64_t)d->cfg.bar_ms[i] * 1000000;

		if (!b->started) {
			b->started = 1;
			bar_reset(b, r->ts - r->ts % ns);
			/*
			 * trades before the first record taken were not,
			 * those of its very ts among them
			 */
			b->partial = d->late && b->start <= m->first_ts;
		}
		if (r->ts < b->start)
			d->st.late++;
		if (b->trades == 0) {
			b->open = b->high = b->low = p;
		} else {
			if (dec_cmp(p.pm, p.pe, b->high.pm, b->high.pe) > 0)
				b->high = p;
			if (dec_cmp(p.pm, p.pe, b->low.pm, b->low.pe) < 0)
				b->low = p;
		}
		b->close = p;
		b->trades++;
		if (p.pe < b->min_pe)
			b->min_pe = p.pe;
		if (sum_add(&b->vol, t->qty, t->qty_exp) < 0 ||
		    (t->side == SIDE_BUY && sum_add(&b->buy, t->qty,
		    t->qty_exp) < 0) ||
		    (t->side == SIDE_SELL && sum_add(&b->sell, t->qty,
		    t->qty_exp) < 0))
			b->overflow = 1;
		if (sum_add_product(&b->pq, t->price, t->price_exp, t->qty,
		    t->qty_exp) < 0)
			b->pq_overflow = 1;
	}
}

/*
 * xbest: the best bid and ask across the venues of s at recv time now;
 * emitted when anything in it changed since the last one.
 */
static void
xbest(struct derive *d, struct sym *s, const struct tp_record *at)
{
	struct rec_xbest x;
	struct tp_record r;
	const struct market *bm = NULL, *am = NULL;
	int64_t stale_ns = (int64_t)d->cfg.stale_ms * 1000000;

	if (!d->cfg.xbest)
		return;
	memset(&x, 0, sizeof(x));
	for (const struct market *m = s->markets; m != NULL; m = m->sym_next) {
		if (!m->valid) {
			x.excluded |= 1u << m->venue;
			x.why[m->venue] = m->why;
			continue;
		}
		if (stale_ns > 0 && at->recv - m->change_recv > stale_ns) {
			x.excluded |= 1u << m->venue;
			x.why[m->venue] = XB_WHY_STALE;
			continue;
		}
		x.venues |= 1u << m->venue;
		if (m->bids.n > 0) {
			const struct level *l = side_best(&m->bids), *b;
			int c = 1;

			if (bm != NULL) {
				b = side_best(&bm->bids);
				c = dec_cmp(l->pm, l->pe, b->pm, b->pe);
				if (c == 0)	/* ties: the larger size */
					c = dec_cmp(l->qm, l->qe, b->qm, b->qe);
			}
			if (c > 0)
				bm = m;
		}
		if (m->asks.n > 0) {
			const struct level *l = side_best(&m->asks), *a;
			int c = -1;

			if (am != NULL) {
				a = side_best(&am->asks);
				c = dec_cmp(l->pm, l->pe, a->pm, a->pe);
				if (c == 0)
					c = -dec_cmp(l->qm, l->qe, a->qm, a->qe);
			}
			if (c < 0)
				am = m;
		}
	}
	if (bm != NULL) {
		x.has_bid = 1;
		x.bid = side_best(&bm->bids)->pm;
		x.bid_exp = side_best(&bm->bids)->pe;
		x.bid_qty = side_best(&bm->bids)->qm;
		x.bid_qty_exp = side_best(&bm->bids)->qe;
		x.bid_venue = bm->venue;
	}
	if (am != NULL) {
		x.has_ask = 1;
		x.ask = side_best(&am->asks)->pm;
		x.ask_exp = side_best(&am->asks)->pe;
		x.ask_qty = side_best(&am->asks)->qm;
		x.ask_qty_exp = side_best(&am->asks)->qe;
		x.ask_venue = am->venue;
	}
	if (bm != NULL && am != NULL) {
		int c = dec_cmp(x.bid, x.bid_exp, x.ask, x.ask_exp);

		x.state = c > 0 ? XB_CROSSED : c == 0 ? XB_LOCKED : XB_NORMAL;
	}
	if (s->emitted && memcmp(&x, &s->last, sizeof(x)) == 0)
		return;
	if (!s->emitted && x.venues == 0 && x.excluded == 0)
		return;
	s->last = x;
	s->emitted = 1;
	head(&r, REC_XBEST, VENUE_ALL, s->symbol, at->seq, at->ts, at->recv);
	r.u.xbest = x;
	d->st.xbests++;
	emit(d, &r, 1);
}

/* invalidate: m's book is not to be trusted until its next snapshot. */
static void
invalidate(struct derive *d, struct market *m, uint8_t why)
{
	m->valid = 0;
	m->why = why;
	side_clear(&m->bids);
	side_clear(&m->asks);
	m->quoted = 0;
	for (unsigned t = 0; t < d->cfg.ntops; t++)
		m->dirty[t] = 0;
}

/* Adds a market seen with a book to its symbol's list, by venue id. */
static void
book_seen(struct market *m)
{
	struct market **pp = &m->sym->markets;

	if (m->booked)
		return;
	m->booked = 1;
	while (*pp != NULL && (*pp)->venue < m->venue)
		pp = &(*pp)->sym_next;
	m->sym_next = *pp;
	*pp = m;
}

/*
 * book_too_deep: a side of m's book would hold more than DERIVE_MAX_LEVELS
 * levels (no venue's does: a hostile input's) at record r: the book is
 * invalid until its next snapshot, as after a resync, and a status of
 * the venue and symbol says so.
 */
static void
book_too_deep(struct derive *d, struct market *m, const struct tp_record *r)
{
	char why[REC_REASON_LEN];

	d->st.deep++;
	invalidate(d, m, XB_WHY_RESYNC);
	snprintf(why, sizeof(why), "deriver: book of more than %d levels a "
	    "side: invalid until its next snapshot", DERIVE_MAX_LEVELS);
	emit_status(d, m->venue, m->symbol, ST_RESYNC, r, why);
}

/*
 * apply_levels: sets the levels of the book message recs[0..n) in bids
 * and asks.  Returns 1 if they changed, 0 if not, -1 if out of memory,
 * -2 if a side would hold more than DERIVE_MAX_LEVELS.
 */
static int
apply_levels(struct side *bids, struct side *asks,
    const struct tp_record *recs, size_t n)
{
	int changed = 0, rc;

	for (size_t k = 0; k < n; k++) {
		const struct rec_book *b = &recs[k].u.book;

		for (unsigned j = 0; j < (unsigned)b->nbids + b->nasks; j++) {
			rc = side_set(j < b->nbids ? bids : asks,
			    b->price[j], b->price_exp[j], b->qty[j],
			    b->qty_exp[j]);
			if (rc < 0)
				return rc;
			changed |= rc;
		}
	}
	return changed;
}

/* side_same: a and b hold the same levels, as printed. */
static int
side_same(const struct side *a, const struct side *b)
{
	size_t ai = 0, aj = 0, bi = 0, bj = 0;

	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct level *x = &a->b[ai]->lv[aj];
		const struct level *y = &b->b[bi]->lv[bj];

		if (x->pm != y->pm || x->pe != y->pe || x->qm != y->qm ||
		    x->qe != y->qe)
			return 0;
		if (++aj == a->b[ai]->n) {
			ai++;
			aj = 0;
		}
		if (++bj == b->b[bi]->n) {
			bi++;
			bj = 0;
		}
	}
	return 1;
}

/*
 * apply_book: a book message of m.  A snapshot is built apart and
 * replaces the book; it is a change if the book was invalid (whatever it
 * holds: the first quote after it is written) or if it differs from the
 * book, as printed.  "A book that does not change writes nothing"
 * (deriver(1)): an identical snapshot writes no top and no quote, and
 * does not make the venue fresher.
 */
static int
apply_book(struct derive *d, struct market *m, const struct tp_record *recs,
    size_t n, int64_t ts)
{
	int changed;

	book_seen(m);
	if (recs[0].flags & REC_F_SNAPSHOT) {
		struct side bids, asks;

		memset(&bids, 0, sizeof(bids));
		memset(&asks, 0, sizeof(asks));
		asks.asks = 1;
		changed = apply_levels(&bids, &asks, recs, n);
		if (changed >= 0)
			changed = !m->valid || !side_same(&bids, &m->bids) ||
			    !side_same(&asks, &m->asks);
		side_clear(&m->bids);
		side_clear(&m->asks);
		if (changed >= 0) {
			m->bids = bids;
			m->asks = asks;
			m->valid = 1;
			m->why = XB_WHY_NONE;
		} else {
			side_clear(&bids);
			side_clear(&asks);
		}
	} else if (!m->valid) {
		d->st.ignored++;
		return 0;
	} else
		changed = apply_levels(&m->bids, &m->asks, recs, n);
	if (changed == -2) {
		book_too_deep(d, m, &recs[0]);
		return 0;
	}
	if (changed < 0)
		return -1;
	/* a message that changed nothing: no top, no quote, not fresher */
	if (!changed)
		return 0;
	m->change_recv = recs[0].recv;
	m->src_seq = recs[0].seq;
	m->src_ts = ts;
	m->src_recv = recs[0].recv;
	for (unsigned t = 0; t < d->cfg.ntops; t++)
		if (!m->dirty[t]) {
			m->dirty[t] = 1;
			m->dirty_bucket[t] = ts /
			    ((int64_t)d->cfg.top_ms[t] * 1000000);
		}
	emit_quote(d, m);
	return 0;
}

/* A status of venue (for one symbol, or all of the venue's). */
static void
apply_status(struct derive *d, const struct tp_record *r)
{
	unsigned code = r->u.status.code;
	uint8_t why = code == ST_DISCONNECTED ? XB_WHY_DISCONNECTED :
	    code == ST_RESYNC || code == ST_CHECKSUM || code == ST_SEQUENCE ?
	    XB_WHY_RESYNC : XB_WHY_NONE;

	if (why == XB_WHY_NONE)
		return;
	for (struct market *m = d->mfirst; m != NULL; m = m->next) {
		if (m->venue != r->venue || (r->symbol[0] != '\0' &&
		    strncmp(m->symbol, r->symbol, REC_SYMBOL_LEN) != 0))
			continue;
		invalidate(d, m, why);
		if (m->booked)
			xbest(d, m->sym, r);
	}
}

/*
 * say_due: whether a status said at most once a SAY_NS of receive time
 * (the records' own times, so that the output depends on the input
 * only) is due at recv; if so, it is taken as said then (*said, *at).
 */
#define SAY_NS	(60 * INT64_C(1000000000))

static int
say_due(int *said, int64_t *at, int64_t recv)
{
	if (*said && recv >= *at && (uint64_t)recv - (uint64_t)*at <
	    (uint64_t)SAY_NS)
		return 0;
	*said = 1;
	*at = recv;
	return 1;
}

/*
 * markets_full: r is of a new market past DERIVE_MAX_MARKETS: not derived,
 * counted, and said by a status info of its venue and symbol (say_due).
 */
static void
markets_full(struct derive *d, const struct tp_record *r)
{
	char why[REC_REASON_LEN];

	d->st.nomarket++;
	if (!say_due(&d->full_said, &d->full_said_recv, r->recv))
		return;
	snprintf(why, sizeof(why), "deriver: more than %d markets (venue "
	    "and symbol): new ones not derived, %" PRIu64 " records of them "
	    "skipped so far", DERIVE_MAX_MARKETS, d->st.nomarket);
	emit_status(d, r->venue, r->symbol, ST_INFO, r, why);
}

/*
 * ahead: the trade or book message r of market m has a ts more than
 * DERIVE_AHEAD_MAX_NS past its recv, which no venue's clock is: a bar or
 * top interval it closed would stop every later one (their trades late
 * until the clock reached it).  It is derived as if its ts were its recv
 * (the head copied to *at, which is returned), counted, and said by a
 * status info of its venue and symbol, for each market (say_due).
 */
static const struct tp_record *
ahead(struct derive *d, struct market *m, const struct tp_record *r,
    struct tp_record *at)
{
	char why[REC_REASON_LEN];

	d->st.ahead++;
	*at = *r;
	at->ts = r->recv;
	if (!say_due(&m->ahead_said, &m->ahead_said_recv, r->recv))
		return at;
	snprintf(why, sizeof(why), "deriver: ts %" PRId64 " more than %d s "
	    "past its recv: taken at its recv, %" PRIu64 " records so far",
	    r->ts, (int)(DERIVE_AHEAD_MAX_NS / 1000000000), d->st.ahead);
	emit_status(d, r->venue, r->symbol, ST_INFO, at, why);
	return at;
}

int
derive_msg(struct derive *d, const struct tp_record *recs, size_t n)
{
	const struct tp_record *r = &recs[0];
	struct tp_record at;
	struct market *m;
	int full;

	d->st.msgs++;
	/* tickpipe-ring(5): "all" names records derived across venues,
	   never a venue's own; a trade or book of all is malformed and
	   does not reach here (jsonl_msg_add), a status of all is another
	   deriver's */
	if (r->venue == VENUE_ALL && r->type == REC_STATUS) {
		d->st.reserved++;
		return 0;
	}
	if (r->type == REC_STATUS) {
		apply_status(d, r);
		return 0;
	}
	if (r->type != REC_TRADE && r->type != REC_BOOK)
		return 0;
	if ((m = mk_get(d, r->venue, r->symbol, &full)) == NULL) {
		if (!full)
			return -1;
		markets_full(d, r);
		return 0;
	}
	if (derive_ts(r) != r->ts)
		r = ahead(d, m, r, &at);
	if (!m->taken) {
		m->taken = 1;
		m->first_ts = r->ts;
	}
	tick(d, m, r);
	if (r->type == REC_TRADE)
		bar_trade(d, m, r);
	else if (apply_book(d, m, recs, n, r->ts) < 0)
		return -1;
	/* after every trade or book message of the symbol, whatever its
	   venue: the books of the others may have gone stale meanwhile */
	xbest(d, m->sym, r);
	return 0;
}

int64_t
derive_ts(const struct tp_record *r)
{
	if (r->ts > r->recv &&
	    (uint64_t)r->ts - (uint64_t)r->recv > (uint64_t)DERIVE_AHEAD_MAX_NS)
		return r->recv;
	return r->ts;
}

void
derive_late_start(struct derive *d)
{
	d->late = 1;
}

void
derive_cut(struct derive *d, uint64_t from, uint64_t lost,
    const struct tp_record *next)
{
	char why[REC_REASON_LEN];

	d->st.cuts++;
	for (struct market *m = d->mfirst; m != NULL; m = m->next)
		invalidate(d, m, XB_WHY_RESYNC);
	if (lost > 0)
		snprintf(why, sizeof(why), "deriver: input gap, %" PRIu64
		    " records lost from seq %" PRIu64 ": books invalid until "
		    "their next snapshot, bars may miss trades", lost, from);
	else
		snprintf(why, sizeof(why), "deriver: input ring replaced: "
		    "books invalid until their next snapshot");
	emit_status(d, VENUE_ALL, NULL, ST_RESYNC, next, why);
	for (struct sym *s = d->sfirst; s != NULL; s = s->next)
		if (s->markets != NULL)
			xbest(d, s, next);
}

struct derive *
derive_new(const struct derive_config *cfg, derive_out_fn *out, void *arg)
{
	struct derive *d = calloc(1, sizeof(*d));
	size_t maxrecs = (2 * DERIVE_MAX_DEPTH + REC_BOOK_LEVELS - 1) /
	    REC_BOOK_LEVELS;

	if (d == NULL)
		return NULL;
	d->cfg = *cfg;
	d->out = out;
	d->arg = arg;
	d->obufn = maxrecs;
	d->mlast = &d->mfirst;
	d->slast = &d->sfirst;
	if ((d->obuf = calloc(maxrecs, sizeof(*d->obuf))) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
derive_free(struct derive *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->mkcap; i++)
		if (d->mk[i] != NULL) {
			side_clear(&d->mk[i]->bids);
			side_clear(&d->mk[i]->asks);
			free(d->mk[i]);
		}
	for (size_t i = 0; i < d->sycap; i++)
		free(d->sy[i]);
	free(d->mk);
	free(d->sy);
	free(d->obuf);
	free(d);
}

const struct derive_stats *
derive_stats(const struct derive *d)
{
	return &d->st;
}
