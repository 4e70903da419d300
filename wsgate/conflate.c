/*
 * conflate.c: conflators, one per (channel, max_hz) that clients asked
 * for (wsgate(1), tickpipe(7)).  Each one keeps what its channel needs
 * to bring a client to the latest state, and frames it once per tick for
 * every client at that rate:
 *
 *   book     the book itself, from snapshots and deltas, every level as
 *            the exact text the source sent (prices ordered as decimals,
 *            dec.h; never a double).  A level changed since the last
 *            tick is marked; a removed one stays as a marked tombstone
 *            until the tick.  The tick sends a "book_delta" of the marked
 *            levels at their latest quantity ("conflated":true, "seq" the
 *            last source seq applied), or a "book_snapshot" of the whole
 *            book if the source sent a snapshot meanwhile.  Since a delta
 *            only sets levels, a client that got a snapshot of the newer
 *            book may apply it again unchanged.
 *   trade    the lines since the last tick, sent together as
 *            {"type":"trades","channel":C,"trades":[...]}: none dropped.
 *   latest   the last line (quote, topN-Tms, bar-I, xbest).
 *
 * Ticks are libevent timers armed when something changes (or a client
 * joins), at least 1/max_hz apart: an idle channel never wakes wsgate.
 * Lines are read with the common scanner (json.h), in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflate.h"
#include "dec.h"
#include "json.h"
#include "util.h"

#define TXT_MAX		64		/* a level's price or quantity text */
#define META_MAX	96		/* venue, symbol, vseq, ts, recv */
#define HELD_MAX	(8u << 20)	/* bytes held during a read (hold) */

struct lvl {
	int64_t		 m;		/* price, as a decimal */
	int8_t		 e;
	uint8_t		 changed;	/* since the last tick */
	uint8_t		 gone;		/* removed since the last tick */
	uint8_t		 plen, qlen;
	char		 p[TXT_MAX];	/* JSON text, quotes included */
	char		 q[TXT_MAX];
};

struct side {
	struct lvl	*v;
	size_t		 n, cap;
	int		 desc;		/* bids: best (highest) first */
};

struct buf {
	char		*p;
	size_t		 len, cap;
	int		 oom;
};

enum { M_VENUE, M_SYMBOL, M_VSEQ, M_TS, M_RECV, M_N };

struct cfl {
	unsigned	 refs;
	int		 closed;
	struct event_base *base;
	struct wsgate_stats *st;
	cfl_emit_fn	*emit;
	void		*arg;
	enum cfl_kind	 kind;
	enum cfl_state	 state;
	unsigned	 hz;
	int64_t		 period;	/* ns */
	int64_t		 last_tick;
	struct event	*timer;
	int		 armed;
	int64_t		 last_seq;
	/* book */
	int		 have;		/* the book is known */
	struct side	 bids, asks;
	int		 snap_pending;	/* the next tick is a snapshot */
	int		 nchanged;
	char		 meta[M_N][META_MAX];
	/* trades (and other lines): the batch; latest: the line */
	struct buf	 batch;
	size_t		 nbatch;
	struct buf	 latest;
	int		 latest_new;
	struct frame	*join;		/* cached join frame, if current */
	uint64_t	 reads;		/* key reads begun (cfl_hold) */
	/* lines held while the keys are read */
	char		**held;
	size_t		*heldlen;
	size_t		 nheld, capheld, held_bytes;
	size_t		 held_big;	/* the largest line held */
	size_t		 clen;
	char		 chan[];
};

static void tick_cb(evutil_socket_t, short, void *);

/* --- small things --- */

static int
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n > k && memcmp(s + n - k, suf, k) == 0;
}

static int
digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * cfl_latest_channel: 1 if chan is a latest-value channel
 * (PREFIX.VENUE.SYMBOL.quote, .topN-Tms, .bar-I, PREFIX.all.SYMBOL.xbest,
 * tickpipe(7)), whose last line redispub keeps in C.last.
 */
int
cfl_latest_channel(const char *chan, size_t len)
{
	const char *dot = NULL, *t;
	size_t n;

	for (size_t i = len; i > 0; i--)
		if (chan[i - 1] == '.') {
			dot = chan + i;
			break;
		}
	if (dot == NULL)
		return 0;
	n = len - (size_t)(dot - chan);
	if ((n == 5 && memcmp(dot, "quote", 5) == 0) ||
	    (n == 5 && memcmp(dot, "xbest", 5) == 0))
		return 1;
	if (n > 4 && memcmp(dot, "bar-", 4) == 0)
		return 1;
	/* topN-Tms */
	if (n > 7 && memcmp(dot, "top", 3) == 0 &&
	    memcmp(dot + n - 2, "ms", 2) == 0 &&
	    (t = memchr(dot, '-', n)) != NULL)
		return digits(dot + 3, (size_t)(t - dot - 3)) &&
		    digits(t + 1, (size_t)(dot + n - 2 - t - 1));
	return 0;
}

enum cfl_kind
cfl_kind_of(const char *chan, size_t len)
{
	if (has_suffix(chan, len, ".book"))
		return CFL_BOOK;
	if (has_suffix(chan, len, ".trade"))
		return CFL_TRADE;
	if (cfl_latest_channel(chan, len))
		return CFL_LATEST;
	return CFL_OTHER;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *p;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((p = realloc(b->p, ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Adds s as a JSON string (channel names have no control characters). */
static void
buf_jstr(struct buf *b, const char *s, size_t n)
{
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_add(b, "\\", 1);
		buf_add(b, s + i, 1);
	}
	buf_add(b, "\"", 1);
}

static void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* --- life --- */

/*
 * cfl_new: a conflator for channel chan at hz (1..CFL_HZ_MAX) messages a
 * second, framing through emit(arg, ...).  A book or latest-value
 * channel starts in CFL_WAIT (the hub reads its keys, or a snapshot
 * comes), any other is live at once.  One reference; NULL if out of
 * memory.
 */
struct cfl *
cfl_new(struct event_base *base, struct wsgate_stats *st, const char *chan,
    size_t len, unsigned hz, cfl_emit_fn *emit, void *arg)
{
	struct cfl *c = calloc(1, sizeof(*c) + len + 1);

	if (c == NULL)
		return NULL;
	if ((c->timer = evtimer_new(base, tick_cb, c)) == NULL) {
		free(c);
		return NULL;
	}
	c->refs = 1;
	c->base = base;
	c->st = st;
	c->emit = emit;
	c->arg = arg;
	c->hz = hz;
	c->period = 1000000000LL / hz;
	c->last_tick = mono_ns() - c->period;
	c->kind = cfl_kind_of(chan, len);
	c->state = c->kind == CFL_BOOK || c->kind == CFL_LATEST ? CFL_WAIT :
	    CFL_LIVE;
	c->last_seq = -1;
	c->bids.desc = 1;
	memcpy(c->chan, chan, len);
	c->clen = len;
	return c;
}

struct cfl *
cfl_ref(struct cfl *c)
{
	c->refs++;
	return c;
}

static void
held_free(struct cfl *c)
{
	for (size_t i = 0; i < c->nheld; i++)
		free(c->held[i]);
	free(c->held);
	free(c->heldlen);
	c->held = NULL;
	c->heldlen = NULL;
	c->nheld = c->capheld = c->held_bytes = c->held_big = 0;
}

static void
join_drop(struct cfl *c)
{
	if (c->join != NULL)
		frame_unref(c->join);
	c->join = NULL;
}

void
cfl_unref(struct cfl *c)
{
	if (--c->refs > 0)
		return;
	if (c->timer != NULL)
		event_free(c->timer);
	held_free(c);
	join_drop(c);
	free(c->bids.v);
	free(c->asks.v);
	buf_free(&c->batch);
	buf_free(&c->latest);
	free(c);
}

/*
 * cfl_close: the hub is done with c: no emit from now on, and the
 * hub's reference goes (a read in flight may hold another).
 */
void
cfl_close(struct cfl *c)
{
	c->closed = 1;
	if (c->timer != NULL)
		event_del(c->timer);
	c->armed = 0;
	cfl_unref(c);
}

int
cfl_closed(const struct cfl *c)
{
	return c->closed;
}

unsigned
cfl_hz(const struct cfl *c)
{
	return c->hz;
}

enum cfl_kind
cfl_kind(const struct cfl *c)
{
	return c->kind;
}

enum cfl_state
cfl_state(const struct cfl *c)
{
	return c->state;
}

const char *
cfl_channel(const struct cfl *c, size_t *lenp)
{
	*lenp = c->clen;
	return c->chan;
}

/* Arms the tick, at least a period after the last one, unless armed. */
static void
arm(struct cfl *c)
{
	int64_t now, delay;
	struct timeval tv;

	if (c->armed || c->closed)
		return;
	now = mono_ns();
	delay = c->last_tick + c->period - now;
	if (delay < 0)
		delay = 0;
	tv.tv_sec = (time_t)(delay / 1000000000LL);
	tv.tv_usec = (suseconds_t)(delay % 1000000000LL / 1000);
	if (evtimer_add(c->timer, &tv) == 0)
		c->armed = 1;
}

/* cfl_poke: a client joined: tick soon, to give it its join frame. */
void
cfl_poke(struct cfl *c)
{
	arm(c);
}

/* --- the book --- */

static int
side_find(const struct side *s, int64_t m, int e, size_t *at)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = dec_cmp(s->v[mid].m, s->v[mid].e, m, e);

		if (s->desc)
			r = -r;
		if (r == 0) {
			*at = mid;
			return 1;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

/*
 * side_set: level [p, q] (JSON texts) on s; mark it changed unless snap.
 * 0, or -1 if the texts are not decimals or too long, or out of memory.
 */
static int
side_set(struct cfl *c, struct side *s, struct jv p, struct jv q, int snap)
{
	char pb[TXT_MAX], qb[TXT_MAX];
	const char *ps, *qs;
	size_t pn, qn, at;
	int64_t pm, qm;
	int8_t pe, qe;
	struct lvl *l;

	if (p.n >= TXT_MAX || q.n >= TXT_MAX ||
	    jt_str(p, pb, sizeof(pb), &ps, &pn) != 0 ||
	    jt_str(q, qb, sizeof(qb), &qs, &qn) != 0 ||
	    dec_parse(ps, pn, &pm, &pe) != DEC_OK ||
	    dec_parse(qs, qn, &qm, &qe) != DEC_OK)
		return -1;
	if (!side_find(s, pm, pe, &at)) {
		if (qm == 0)
			return 0;	/* removing what is not there */
		if (s->n == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 64;
			struct lvl *v = realloc(s->v, ncap * sizeof(*v));

			if (v == NULL)
				return -1;
			s->v = v;
			s->cap = ncap;
		}
		memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*l));
		s->n++;
		l = &s->v[at];
		l->m = pm;
		l->e = pe;
		l->changed = 0;
	} else {
		l = &s->v[at];
	}
	memcpy(l->p, p.p, p.n);
	l->plen = (uint8_t)p.n;
	memcpy(l->q, q.p, q.n);
	l->qlen = (uint8_t)q.n;
	l->gone = qm == 0;
	if (!snap && !l->changed) {
		l->changed = 1;
		c->nchanged++;
	}
	return 0;
}

static int
side_apply(struct cfl *c, struct side *s, struct jv levels, int snap)
{
	struct jit it;
	struct jv k, v, p, q;

	if (jt_begin(levels, &it) != 0)
		return -1;
	while (jt_next(&it, &k, &v))
		if (jt_pair(v, &p, &q) != 0 || side_set(c, s, p, q, snap) != 0)
			return -1;
	return 0;
}

/* Drops the tombstones and the marks, after a tick. */
static void
side_settle(struct side *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].gone)
			continue;
		s->v[i].changed = 0;
		s->v[k++] = s->v[i];
	}
	s->n = k;
}

static void
meta_keep(struct cfl *c, const struct jv *v)
{
	for (int i = 0; i < M_N; i++) {
		size_t n = v[i].p != NULL && v[i].n < META_MAX ? v[i].n : 0;

		if (n > 0)	/* v[i].p may be NULL: a member absent */
			memcpy(c->meta[i], v[i].p, n);
		c->meta[i][n] = 0;
	}
}

/* The book is no longer known: it waits for a snapshot. */
static void
book_lost(struct cfl *c)
{
	c->have = 0;
	c->bids.n = c->asks.n = 0;
	c->nchanged = 0;
	c->snap_pending = 0;
	c->last_seq = -1;
	join_drop(c);
	if (c->state == CFL_LIVE)
		c->state = CFL_WAIT;
}

/*
 * book_apply: one line of a book channel, read in one pass.  A snapshot
 * with the seq applied last is a copy (skipped), an older one is taken
 * live (the ring was made again) but skipped in a replay; a delta counts
 * once there is a book and its seq is newer.  0; -1 for a JSON object
 * that is no book message (the caller passes it on), *loss set if it
 * says the book lost messages (frame_loss); -2 for a book message whose
 * levels do not apply (the book is lost: the caller says so); -3 for a
 * line that is no JSON object.
 */
static int
book_apply(struct cfl *c, const char *line, size_t len, int replay,
    const char **loss)
{
	static const char *const names[] = {
		"venue", "symbol", "vseq", "ts", "recv", "type", "seq",
		"bids", "asks", "status"
	};
	struct jv v[10];
	uint64_t seq;
	int snap;

	*loss = NULL;
	if (jt_pick(line, len, names, v, 10, NULL) < 0)
		return -3;
	if (jt_eq(v[5], "book_snapshot"))
		snap = 1;
	else if (jt_eq(v[5], "book_delta"))
		snap = 0;
	else {
		*loss = frame_loss(v[5], v[9]);
		return -1;
	}
	if (jt_type(v[6]) != JT_NUM || jt_u64(v[6], &seq) != 0 ||
	    seq > INT64_MAX)
		return -1;
	if (snap) {
		if (c->have && (int64_t)seq == c->last_seq)
			return 0;
		if (c->have && (int64_t)seq < c->last_seq && replay)
			return 0;
		c->bids.n = c->asks.n = 0;
		c->nchanged = 0;
		if (side_apply(c, &c->bids, v[7], 1) != 0 ||
		    side_apply(c, &c->asks, v[8], 1) != 0) {
			c->st->conflate_errors++;
			return -2;	/* wait for a good one */
		}
		side_settle(&c->bids);
		side_settle(&c->asks);
		c->snap_pending = 1;
		c->have = 1;
		if (c->state == CFL_WAIT)
			c->state = CFL_LIVE;
	} else {
		if (!c->have || (int64_t)seq <= c->last_seq)
			return 0;
		if (side_apply(c, &c->bids, v[7], 0) != 0 ||
		    side_apply(c, &c->asks, v[8], 0) != 0) {
			/* the book is no longer known: wait for a snapshot */
			c->st->conflate_errors++;
			return -2;
		}
	}
	c->last_seq = (int64_t)seq;
	meta_keep(c, v);
	join_drop(c);
	return 0;
}

/* The text of c's book: changed levels only (a delta), or all of it. */
static struct frame *
book_frame(struct cfl *c, int snap)
{
	const struct side *sides[2] = { &c->bids, &c->asks };
	char num[32];
	struct buf b = { 0 };
	struct frame *f;

	buf_str(&b, snap ? "{\"type\":\"book_snapshot\"" :
	    "{\"type\":\"book_delta\"");
	if (c->meta[M_VENUE][0]) {
		buf_str(&b, ",\"venue\":");
		buf_str(&b, c->meta[M_VENUE]);
	}
	if (c->meta[M_SYMBOL][0]) {
		buf_str(&b, ",\"symbol\":");
		buf_str(&b, c->meta[M_SYMBOL]);
	}
	snprintf(num, sizeof(num), ",\"seq\":%lld", (long long)c->last_seq);
	buf_str(&b, num);
	if (c->meta[M_VSEQ][0]) {
		buf_str(&b, ",\"vseq\":");
		buf_str(&b, c->meta[M_VSEQ]);
	}
	if (c->meta[M_TS][0]) {
		buf_str(&b, ",\"ts\":");
		buf_str(&b, c->meta[M_TS]);
	}
	if (c->meta[M_RECV][0]) {
		buf_str(&b, ",\"recv\":");
		buf_str(&b, c->meta[M_RECV]);
	}
	for (int k = 0; k < 2; k++) {
		const struct side *s = sides[k];
		int first = 1;

		buf_str(&b, k == 0 ? ",\"bids\":[" : "],\"asks\":[");
		for (size_t i = 0; i < s->n; i++) {
			const struct lvl *l = &s->v[i];

			if (snap ? l->gone : !l->changed)
				continue;
			buf_str(&b, first ? "[" : ",[");
			buf_add(&b, l->p, l->plen);
			buf_add(&b, ",", 1);
			buf_add(&b, l->q, l->qlen);
			buf_add(&b, "]", 1);
			first = 0;
		}
	}
	buf_str(&b, "],\"conflated\":true}");
	f = b.oom ? NULL : frame_text(b.p, b.len);
	free(b.p);
	return f;
}

/* --- lines --- */

static int64_t
line_seq(const char *line, size_t len)
{
	static const char *const names[] = { "seq" };
	struct jv v;
	uint64_t seq;

	if (jt_pick(line, len, names, &v, 1, NULL) < 0)
		return -2;
	if (jt_type(v) != JT_NUM || jt_u64(v, &seq) != 0 || seq > INT64_MAX)
		return -1;
	return (int64_t)seq;
}

/* A line passed on as it came (CFL_PASS). */
static void
pass(struct cfl *c, const char *line, size_t len)
{
	struct frame *f = frame_text(line, len);

	if (f == NULL)
		return;
	c->emit(c->arg, c, f, CFL_PASS);
	frame_unref(f);
}

/*
 * lost: c's book is no longer known, for why: a loss line of its channel
 * (frame_loss), or a book message whose levels do not apply.  Its
 * clients are told (CFL_INVALID) and wait for the next snapshot.
 */
static void
lost(struct cfl *c, const char *why)
{
	/* no bytes: the frame only carries why */
	struct frame f = { .refs = 1, .seq = -1, .kind = FRAME_LOSS,
	    .loss = why };

	book_lost(c);
	if (!c->closed)
		c->emit(c->arg, c, &f, CFL_INVALID);
}

/*
 * How a line reached apply: live, held while the keys were read (live,
 * but it may repeat what the keys hold), or from the keys.
 */
enum { LIVE, HELD, KEYS };

/* apply: one line of c's channel (from is LIVE, HELD or KEYS). */
static void
apply(struct cfl *c, const char *line, size_t len, int from)
{
	struct jv top;
	int64_t seq;
	const char *why;

	switch (c->kind) {
	case CFL_BOOK:
		switch (book_apply(c, line, len, from != LIVE, &why)) {
		case 0:
			break;
		case -2:
			lost(c, "a book message whose levels do not apply");
			return;
		case -1:
			/* a loss counts wherever it came from */
			if (why != NULL)
				lost(c, why);
			else if (from != KEYS && !c->closed)
				pass(c, line, len);	/* keys: books only */
			return;
		default:	/* no JSON object: not for the clients */
			if (from != KEYS && !c->closed)
				c->st->conflate_errors++;
			return;
		}
		if (c->snap_pending || c->nchanged > 0)
			arm(c);
		return;
	case CFL_LATEST:
		if ((seq = line_seq(line, len)) == -2) {
			c->st->conflate_errors++;
			return;
		}
		if (seq >= 0 && seq <= c->last_seq)
			return;
		if (seq >= 0)
			c->last_seq = seq;
		buf_reset(&c->latest);
		buf_add(&c->latest, line, len);
		if (c->latest.oom)
			return;
		c->latest_new = 1;
		join_drop(c);
		if (c->state == CFL_LIVE)
			arm(c);
		return;
	case CFL_TRADE:
	case CFL_OTHER:
		if (jt_parse(line, len, &top) != 0 || jt_type(top) != JT_OBJ) {
			c->st->conflate_errors++;
			return;
		}
		if (c->nbatch == 0) {
			buf_reset(&c->batch);
			buf_str(&c->batch, "{\"type\":\"trades\",\"channel\":");
			buf_jstr(&c->batch, c->chan, c->clen);
			buf_str(&c->batch, ",\"trades\":[");
		} else {
			buf_add(&c->batch, ",", 1);
		}
		buf_add(&c->batch, line, len);
		c->nbatch++;
		arm(c);
		return;
	}
}

/*
 * hold: keeps a copy of a line that came while c's keys are read; -1
 * when it cannot: out of memory, or past HELD_MAX held without the
 * largest line, counted as --output-cap counts a client's queue and a
 * book's held messages (wsgate(1), Conflation): one line of any size
 * does not give up the read it came during, while a channel that keeps
 * talking for long does.  Counted whole, one line larger than the room
 * left gave the read up, and its clients waited for the next snapshot.
 */
static int
hold(struct cfl *c, const char *line, size_t len)
{
	size_t big = len > c->held_big ? len : c->held_big;
	char *copy;

	if (c->held_bytes + len - big > HELD_MAX)
		return -1;
	if (c->nheld == c->capheld) {
		size_t ncap = c->capheld ? c->capheld * 2 : 16;
		char **v = realloc(c->held, ncap * sizeof(*v));
		size_t *w;

		if (v == NULL)
			return -1;
		c->held = v;
		if ((w = realloc(c->heldlen, ncap * sizeof(*w))) == NULL)
			return -1;
		c->heldlen = w;
		c->capheld = ncap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, line, len);
	copy[len] = 0;
	c->held[c->nheld] = copy;
	c->heldlen[c->nheld++] = len;
	c->held_bytes += len;
	c->held_big = big;
	return 0;
}

/*
 * cfl_feed: a live line of c's channel.  While the keys are read it is
 * held; when it cannot be (the read takes too long, or no memory), the
 * lines held go, the read's reply will be ignored (cfl_state is no
 * longer CFL_READING) and c waits for a live snapshot.
 */
void
cfl_feed(struct cfl *c, const char *line, size_t len)
{
	if (c->state == CFL_READING) {
		if (hold(c, line, len) == 0)
			return;
		held_free(c);
		c->state = CFL_WAIT;
	}
	apply(c, line, len, LIVE);
}

/*
 * cfl_hold: the hub reads c's keys: live lines are held meanwhile.
 * Returns the read's number, for cfl_reading.
 */
uint64_t
cfl_hold(struct cfl *c)
{
	c->state = CFL_READING;
	return ++c->reads;
}

/*
 * cfl_reading: 1 if c is still in its key read number read: not closed,
 * and the read not given up (cfl_feed could not hold a line), nor
 * followed by another, whose reply this one's keys, older than the
 * lines dropped meanwhile, must not stand for.
 */
int
cfl_reading(const struct cfl *c, uint64_t read)
{
	return !c->closed && c->state == CFL_READING && read == c->reads;
}

/* cfl_replay: a line read from c's keys (C.snapshot, C.deltas, C.last). */
void
cfl_replay(struct cfl *c, const char *line, size_t len)
{
	apply(c, line, len, KEYS);
}

/*
 * cfl_live: the end of the read: the held lines are applied and c goes
 * live, its first tick bringing every client to its state; a book with
 * no snapshot waits for a live one.
 */
void
cfl_live(struct cfl *c)
{
	c->state = c->kind != CFL_BOOK || c->have ? CFL_LIVE : CFL_WAIT;
	for (size_t i = 0; i < c->nheld; i++)
		apply(c, c->held[i], c->heldlen[i], HELD);
	held_free(c);
	if (c->kind == CFL_BOOK && c->have)
		c->snap_pending = 1;
	arm(c);
}

/* cfl_reset: the source was lost: c forgets its book and waits. */
void
cfl_reset(struct cfl *c)
{
	held_free(c);
	book_lost(c);
	buf_reset(&c->latest);
	c->latest_new = 0;
	if (c->kind == CFL_BOOK || c->kind == CFL_LATEST)
		c->state = CFL_WAIT;
}

/*
 * cfl_join_frame: what brings a client that joins c to its state: the
 * book as a snapshot, or the latest line; NULL when there is none (a
 * trade channel, or nothing yet).  Borrowed: valid until c changes.
 */
struct frame *
cfl_join_frame(struct cfl *c)
{
	if (c->state != CFL_LIVE)
		return NULL;
	if (c->join != NULL)
		return c->join;
	if (c->kind == CFL_BOOK)
		c->join = book_frame(c, 1);
	else if (c->kind == CFL_LATEST && c->latest.len > 0)
		c->join = frame_text(c->latest.p, c->latest.len);
	if (c->join != NULL)
		c->st->conflate_frames++;
	return c->join;
}

/* --- the tick --- */

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cfl *c = arg;
	struct frame *f = NULL;
	enum cfl_how how = CFL_TICK;

	(void)fd;
	(void)what;
	c->armed = 0;
	c->last_tick = mono_ns();
	if (c->closed || c->state != CFL_LIVE)
		return;
	switch (c->kind) {
	case CFL_BOOK:
		if (c->snap_pending) {
			side_settle(&c->bids);
			side_settle(&c->asks);
			f = cfl_join_frame(c);
			if (f != NULL)
				frame_ref(f);
			how = CFL_FULL;
		} else if (c->nchanged > 0) {
			if ((f = book_frame(c, 0)) != NULL)
				c->st->conflate_frames++;
			side_settle(&c->bids);
			side_settle(&c->asks);
		}
		c->snap_pending = 0;
		c->nchanged = 0;
		break;
	case CFL_LATEST:
		if (c->latest_new && (f = cfl_join_frame(c)) != NULL)
			frame_ref(f);
		c->latest_new = 0;
		how = CFL_FULL;
		break;
	case CFL_TRADE:
	case CFL_OTHER:
		if (c->nbatch > 0) {
			buf_str(&c->batch, "]}");
			if (!c->batch.oom)
				f = frame_text(c->batch.p, c->batch.len);
			if (f != NULL)
				c->st->conflate_frames++;
			else	/* out of memory: the tick's batch is lost */
				c->st->conflate_errors++;
		}
		c->nbatch = 0;
		buf_reset(&c->batch);
		break;
	}
	cfl_ref(c);
	c->emit(c->arg, c, f, how);
	if (f != NULL)
		frame_unref(f);
	cfl_unref(c);
}
