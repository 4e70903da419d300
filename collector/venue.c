/*
 * venue.c: helpers the venue adapters share: symbol lookup, publishing
 * books and trades, resync bookkeeping, counted and rate-limited
 * complaints about malformed messages, JSON and time parsing.
 * Nothing here touches the network (see live.c for that side).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "util.h"
#include "venue.h"

struct msgbuf	venue_msg;

const struct venue_ops *
venue_find(const char *name, size_t len)
{
	static const struct venue_ops *all[] = {
		&venue_coinbase, &venue_kraken, &venue_binance, &venue_bybit,
		&venue_okx,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strlen(all[i]->name) == len &&
		    memcmp(all[i]->name, name, len) == 0)
			return all[i];
	return NULL;
}

void
feed_data(struct feed *f)
{
	f->data++;
	f->last_data = mono_ns();
}

void
feed_malformed(struct feed *f, const char *why, const char *data, size_t len)
{
	char ex[160 * 4 + 4];

	f->malformed++;
	/* the venue's bytes as printable ASCII: ESC sequences and cut
	   characters went raw to the terminal and the logs */
	text_excerpt(data, len, 160, ex);
	ratelog_say(&f->malformed_log, mono_ns(), "%s: malformed message "
	    "skipped: %s: %s", f->ops->name, why, ex);
}

/* The kinds feed_unknown and the topics feed_unsubscribed have said, per
   venue: a small fixed table, shared. */
#define UNKNOWN_KINDS	32
#define UNKNOWN_KIND_LEN	32
#define UNKNOWN_TOPIC_LEN	64
#define UNKNOWN_EXCERPT	120	/* bytes of the message shown */

static struct {
	unsigned	venue;
	int		topic;		/* feed_unsubscribed's: a whole topic */
	size_t		n;
	char		kind[UNKNOWN_TOPIC_LEN];
} unknown_said[UNKNOWN_KINDS];
static size_t	unknown_nsaid;

/*
 * Counts a message as unknown and says it the first time this venue sends
 * its kind: the text of kind, cut at the first '.' unless topic, and at
 * max - 1 bytes.
 */
static void
unknown_say(struct feed *f, struct jv kind, int topic, size_t max,
    const char *what, const char *data, size_t len)
{
	const char *t, *dot;
	size_t n, i;
	char buf[UNKNOWN_TOPIC_LEN], k[UNKNOWN_TOPIC_LEN * 4 + 4];
	char msg[UNKNOWN_EXCERPT * 4 + 4];

	f->unknown++;
	if (jt_str(kind, buf, max, &t, &n) != 0) {
		/* not a string (or a long one with escapes): its JSON text */
		t = kind.p != NULL ? kind.p : "";
		n = kind.p != NULL ? kind.n : 0;
	}
	if (!topic && (dot = memchr(t, '.', n)) != NULL)
		n = (size_t)(dot - t);
	if (n >= max)
		n = max - 1;
	for (i = 0; i < unknown_nsaid; i++)
		if (unknown_said[i].venue == f->ops->id &&
		    unknown_said[i].topic == topic &&
		    unknown_said[i].n == n &&
		    memcmp(unknown_said[i].kind, t, n) == 0)
			return;
	if (unknown_nsaid == UNKNOWN_KINDS)
		return;		/* said when the table filled */
	unknown_said[i].venue = f->ops->id;
	unknown_said[i].topic = topic;
	unknown_said[i].n = n;
	memcpy(unknown_said[i].kind, t, n);
	text_excerpt(t, n, max, k);
	text_excerpt(data, len, UNKNOWN_EXCERPT, msg);
	fprintf(stderr, "%s: %s: message of %s \"%s\" skipped "
	    "(said once, counted as unknown): %s\n", f->c->prog,
	    f->ops->name, what, k, msg);
	if (++unknown_nsaid == UNKNOWN_KINDS)
		fprintf(stderr, "%s: %d unknown message kinds said: further "
		    "ones are only counted\n", f->c->prog, UNKNOWN_KINDS);
}

void
feed_unknown(struct feed *f, struct jv kind, const char *data, size_t len)
{
	unknown_say(f, kind, 0, UNKNOWN_KIND_LEN, "unknown kind", data, len);
}

void
feed_unsubscribed(struct feed *f, struct jv topic, const char *data,
    size_t len)
{
	unknown_say(f, topic, 1, UNKNOWN_TOPIC_LEN, "unsubscribed topic",
	    data, len);
}

void
feed_clear_pend(struct fsym *s)
{
	for (size_t i = 0; i < s->npend; i++)
		free(s->pend[i].text);
	s->npend = 0;
	s->pend_bytes = 0;
}

int
feed_pend_add(struct feed *f, struct fsym *s, const char *text, size_t len,
    uint64_t first, uint64_t last)
{
	struct pend *p;
	char why[REC_REASON_LEN];

	if (s->npend > 0 && (s->npend >= FEED_PEND_MAX ||
	    s->pend_bytes + len > FEED_PEND_BYTES)) {
		char cap[32];

		if (s->npend >= FEED_PEND_MAX)
			snprintf(cap, sizeof(cap), "%d updates", FEED_PEND_MAX);
		else
			snprintf(cap, sizeof(cap), "%zu MiB",
			    FEED_PEND_BYTES >> 20);
		snprintf(why, sizeof(why), "updates buffered for the REST "
		    "snapshot past %s (%zu, %zu bytes): dropped", cap,
		    s->npend, s->pend_bytes);
		feed_resync(f, s, why);
	}
	if (s->npend == s->cappend) {
		size_t ncap = s->cappend ? s->cappend * 2 : 64;
		struct pend *np = realloc(s->pend, ncap * sizeof(*np));

		if (np == NULL)
			goto oom;
		s->pend = np;
		s->cappend = ncap;
	}
	p = &s->pend[s->npend];
	if ((p->text = malloc(len + 1)) == NULL)
		goto oom;
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->len = len;
	p->first = first;
	p->last = last;
	s->npend++;
	s->pend_bytes += len;
	return 0;
oom:
	feed_malformed(f, "out of memory", "", 0);
	return -1;
}

void
feed_resync(struct feed *f, struct fsym *s, const char *reason)
{
	f->resyncs++;
	if (f->c->verbose)
		fprintf(stderr, "%s: %s: %s: resync: %s\n", f->c->prog,
		    f->ops->name, s->sym, reason);
	collector_status(f->c, f->ops->id, s->sym, ST_RESYNC, reason);
	book_clear(&s->book);
	s->synced = 0;
	s->last = 0;
	s->has_horizon[0] = s->has_horizon[1] = 0;
	feed_clear_pend(s);
	if (f->ops->resync != NULL)
		f->ops->resync(f, s);
}

void
feed_resync_all(struct feed *f, const char *reason)
{
	for (size_t i = 0; i < f->nsyms; i++)
		if (f->syms[i].synced)
			feed_resync(f, &f->syms[i], reason);
}

struct fsym *
feed_sym(struct feed *f, const char *native, size_t len)
{
	for (size_t i = 0; i < f->nsyms; i++)
		if (strlen(f->syms[i].native) == len &&
		    memcmp(f->syms[i].native, native, len) == 0)
			return &f->syms[i];
	return NULL;
}

/* Publishes the window of s as a snapshot with these header fields. */
static void
win_snapshot(struct feed *f, struct fsym *s, int64_t ts, int64_t recv,
    uint64_t vseq)
{
	size_t n = msg_from_book(&venue_msg, &s->book, f->ops->id, s->sym, ts,
	    vseq, f->depth);

	for (size_t i = 0; i < n; i++)
		venue_msg.recs[i].recv = recv;
	collector_emit(f->c, venue_msg.recs, n);
}

void
venue_horizon(struct fsym *s, size_t limit, const size_t n[2])
{
	for (int ask = 0; ask <= 1; ask++) {
		const struct book_side *sd = ask ? &s->book.asks :
		    &s->book.bids;

		/* the body's count: a level it removed still filled the limit */
		s->has_horizon[ask] = n[ask] >= limit && sd->n > 0;
		if (s->has_horizon[ask])
			s->horizon[ask] = sd->lv[sd->n - 1];
	}
}

/*
 * The window of s lies within its horizon (venue_horizon): returns 0, or
 * resyncs the book, saying why, and returns -1.
 */
static int
win_known(struct feed *f, struct fsym *s)
{
	char why[REC_REASON_LEN];

	for (int ask = 0; ask <= 1; ask++) {
		const struct book_level *h = &s->horizon[ask];
		/* a side shorter than the window still has levels beyond */
		size_t need = f->depth != 0 ? f->depth : SIZE_MAX, known;
		int found;

		if (!s->has_horizon[ask])
			continue;
		known = book_find(&s->book, ask, h->price, h->price_exp,
		    &found) + (size_t)found;
		if (known >= need)
			continue;
		snprintf(why, sizeof(why), "%s: only %zu levels known within "
		    "the REST snapshot's horizon, fewer than --depth %zu",
		    ask ? "asks" : "bids", known, f->depth);
		feed_resync(f, s, why);
		return -1;
	}
	return 0;
}

void
feed_emit_book(struct feed *f, struct fsym *s, int64_t ts, int64_t recv,
    int periodic)
{
	size_t nb = s->book.bids.n, na = s->book.asks.n;
	char why[REC_REASON_LEN];

	if (win_known(f, s) != 0)
		return;
	if (!periodic && f->depth != 0 && (nb > f->depth || na > f->depth)) {
		snprintf(why, sizeof(why), "book deeper than --depth %zu: %zu "
		    "bids, %zu asks; publishing the top %zu", f->depth, nb, na,
		    f->depth);
		if (f->c->verbose)
			fprintf(stderr, "%s: %s: %s: %s\n", f->c->prog,
			    f->ops->name, s->sym, why);
		collector_status(f->c, f->ops->id, s->sym, ST_INFO, why);
		f->c->truncated++;
	}
	win_snapshot(f, s, ts, recv, s->last);
	s->snap_updates = s->updates;	/* --snapshot-interval: unchanged */
}

/*
 * The window's bookkeeping for one delta (venue.h): every level the venue
 * message set, in arrival order, and the worst level of each side's window
 * before the message.  A level was in that window iff it existed and is
 * not worse than that edge (or the side did not fill the window).
 */
struct win_note {
	int64_t		price, qty;	/* as the venue sent them */
	int8_t		price_exp, qty_exp;
	uint8_t		ask;
	uint8_t		was_in;		/* in the window before the message */
	uint32_t	ord;
};

static struct {
	struct win_note		*v;
	size_t			 n, cap;
	size_t			 depth;		/* SIZE_MAX: no window */
	struct book_level	 edge[2];	/* bids, asks */
	int			 full[2];	/* the side filled the window */
	int			 failed;	/* out of memory: snapshot */
} win;

void
venue_delta_begin(struct feed *f, struct fsym *s, int64_t ts, int64_t recv,
    uint64_t vseq)
{
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, vseq);
	win.n = 0;
	win.failed = 0;
	win.depth = f->depth != 0 ? f->depth : SIZE_MAX;
	for (int ask = 0; ask <= 1; ask++) {
		const struct book_side *sd = ask ? &s->book.asks :
		    &s->book.bids;

		win.full[ask] = sd->n >= win.depth;
		if (win.full[ask])
			win.edge[ask] = sd->lv[win.depth - 1];
	}
}

/*
 * Notes that the venue set price to qty (before it is applied).  Returns
 * the level's index on its side as book_find gives it, and *found.
 */
static size_t
win_add(struct fsym *s, int ask, int64_t pm, int8_t pe, int64_t qm,
    int8_t qe, int *found)
{
	struct win_note *w;
	size_t at = book_find(&s->book, ask, pm, pe, found);

	if (win.n == win.cap) {
		size_t ncap = win.cap ? win.cap * 2 : 256;
		struct win_note *nv = realloc(win.v, ncap * sizeof(*nv));

		if (nv == NULL) {
			win.failed = 1;
			return at;
		}
		win.v = nv;
		win.cap = ncap;
	}
	w = &win.v[win.n];
	*w = (struct win_note){ pm, qm, pe, qe, (uint8_t)ask, 0,
	    (uint32_t)win.n };
	w->was_in = *found && (!win.full[ask] || book_better(ask, pm, pe,
	    win.edge[ask].price, win.edge[ask].price_exp) <= 0);
	win.n++;
	return at;
}

void
venue_truncate(struct fsym *s, int ask, size_t depth, int emit)
{
	struct book_side *sd = ask ? &s->book.asks : &s->book.bids;
	int found;

	for (size_t i = depth; emit && i < sd->n; i++)
		(void)win_add(s, ask, sd->lv[i].price, sd->lv[i].price_exp, 0,
		    0, &found);
	if (sd->n > depth)
		sd->n = depth;
}

/* Notes sort bids first, then best price first, then in arrival order. */
static int
win_cmp(const void *a, const void *b)
{
	const struct win_note *x = a, *y = b;
	int c;

	if (x->ask != y->ask)
		return x->ask < y->ask ? -1 : 1;
	c = book_better(x->ask, x->price, x->price_exp, y->price,
	    y->price_exp);
	if (c != 0)
		return c;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/*
 * Sorts the notes by win_cmp, a total order (ord breaks ties), so any
 * sort gives the same result: a message sets a few levels, where an
 * insertion sort takes a tenth of qsort's instructions.
 */
static void
win_sort(struct win_note *v, size_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof(*v), win_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct win_note t = v[i];
		size_t j = i;

		for (; j > 0 && win_cmp(&v[j - 1], &t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/*
 * Adds to venue_msg, best first, the window changes of one side: the
 * levels noted (v[0..n), sorted, one price possibly noted several times)
 * and the untouched levels that crossed the window's edge, which lie
 * between the old edge and index depth of the book now.  A noted
 * price needs no search of the book: its last note says what it is.
 * Returns -1 when the message is full.
 */
static int
win_side(struct fsym *s, int ask, const struct win_note *v, size_t n)
{
	const struct book_side *sd = ask ? &s->book.asks : &s->book.bids;
	size_t depth = win.depth, nw = sd->n < depth ? sd->n : depth;
	size_t k = sd->n, lo, hi, i = 0;
	int found, entered, now;

	if (win.full[ask]) {
		/* k: the levels now not worse than the old edge */
		k = book_find(&s->book, ask, win.edge[ask].price,
		    win.edge[ask].price_exp, &found) + (size_t)found;
	}
	entered = k < nw;
	lo = entered ? k : depth;
	hi = entered ? nw : k > depth ? k : depth;
	while (i < n || lo < hi) {
		const struct book_level *l = lo < hi ? &sd->lv[lo] : NULL;
		int c = i == n ? 1 : l == NULL ? -1 : book_better(ask,
		    v[i].price, v[i].price_exp, l->price, l->price_exp);
		size_t j;

		if (c > 0) {
			/* an untouched level crossed the edge */
			if (msg_add(&venue_msg, ask, l->price, l->price_exp,
			    entered ? l->qty : 0, entered ? l->qty_exp : 0) < 0)
				return -1;
			lo++;
			continue;
		}
		if (c == 0)
			lo++;	/* noted: the notes say what it is now */
		for (j = i; j + 1 < n && book_better(ask, v[j + 1].price,
		    v[j + 1].price_exp, v[i].price, v[i].price_exp) == 0; j++)
			;
		/*
		 * The last note of a price is the level now (book_set_at
		 * applied each; a feed's book has no max_depth), and
		 * it is in the window unless worse than the window's edge.
		 */
		now = v[j].qty != 0 && (sd->n <= depth || book_better(ask,
		    v[j].price, v[j].price_exp, sd->lv[depth - 1].price,
		    sd->lv[depth - 1].price_exp) <= 0);
		if (now) {
			if (msg_add(&venue_msg, ask, v[j].price,
			    v[j].price_exp, v[j].qty, v[j].qty_exp) < 0)
				return -1;
		} else if (v[i].was_in &&
		    msg_add(&venue_msg, ask, v[j].price, v[j].price_exp, 0,
		    v[j].qty == 0 ? v[j].qty_exp : 0) < 0) {
			return -1;
		}
		i = j + 1;
	}
	return 0;
}

void
venue_delta_end(struct feed *f, struct fsym *s)
{
	struct tp_record h = venue_msg.recs[0];
	size_t nbids = 0;

	if (win_known(f, s) != 0) {
		win.n = 0;
		return;
	}
	win_sort(win.v, win.n);
	while (nbids < win.n && !win.v[nbids].ask)
		nbids++;
	if (win.failed || win_side(s, 0, win.v, nbids) != 0 ||
	    win_side(s, 1, win.v + nbids, win.n - nbids) != 0) {
		/* XXX rare: the change set does not fit; resend the window */
		win_snapshot(f, s, h.ts, h.recv, h.vseq);
	} else if (venue_msg.nlev > 0) {
		collector_emit(f->c, venue_msg.recs, msg_end(&venue_msg));
	}
	win.n = 0;
}

void
feed_emit_trade(struct feed *f, struct fsym *s, int64_t ts, int64_t recv,
    const char *price, size_t plen, const char *qty, size_t qlen,
    unsigned side, const char *tid, size_t tidlen, uint64_t vseq)
{
	struct tp_record r;

	memset(&r, 0, sizeof(r));
	r.type = REC_TRADE;
	r.venue = (uint16_t)f->ops->id;
	memcpy(r.symbol, s->sym, sizeof(r.symbol));
	r.ts = ts;
	r.recv = recv;
	r.vseq = vseq;
	/*
	 * A quantity is never negative (tickpipe-json(5)), and a trade of
	 * nothing, or at no price or below, is none: all are malformed
	 * (collector(1) VENUES), as venue_level holds a level's.
	 */
	if (dec_parse(price, plen, &r.u.trade.price, &r.u.trade.price_exp) !=
	    DEC_OK || r.u.trade.price <= 0) {
		feed_malformed(f, "bad trade price", price, plen);
		return;
	}
	if (dec_parse(qty, qlen, &r.u.trade.qty, &r.u.trade.qty_exp) !=
	    DEC_OK || r.u.trade.qty <= 0) {
		feed_malformed(f, "bad trade quantity", qty, qlen);
		return;
	}
	r.u.trade.side = (uint8_t)side;
	if (tidlen > sizeof(r.u.trade.tid) - 1) {
		/* kept, cut where a character ends (tickpipe-ring(5): at
		   most 47 bytes), and said; it was cut mid-character, the
		   whole id then printed as "?", without a word */
		size_t cut = utf8_cut(tid, sizeof(r.u.trade.tid) - 1);
		char ex[64 * 4 + 4];

		text_excerpt(tid, tidlen, 64, ex);
		ratelog_say(&f->malformed_log, mono_ns(), "%s: trade id of "
		    "%zu bytes cut to %zu (the record holds 47): %s",
		    f->ops->name, tidlen, cut, ex);
		tidlen = cut;
	}
	memcpy(r.u.trade.tid, tid, tidlen);
	collector_emit(f->c, &r, 1);
}

struct fsym *
feed_jsym(struct feed *f, struct jv v)
{
	const char *t;
	size_t n;
	char buf[VENUE_NATIVE_MAX];

	if (jt_str(v, buf, sizeof(buf), &t, &n) != 0)
		return NULL;
	return feed_sym(f, t, n);
}

int
jv_id(struct jv v, uint64_t *out)
{
	uint64_t id;

	if (jt_u64(v, &id) != 0 || id > VENUE_ID_MAX)
		return -1;
	*out = id;
	return 0;
}

int
ju64(json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		/* json_int_t: no larger than VENUE_ID_MAX */
		if (json_integer_value(v) < 0)
			return -1;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v))
		return parse_u64(json_string_value(v), 0, VENUE_ID_MAX, out);
	return -1;
}

/* Reads n digits at *p (before e); -1 if they are not all digits. */
static int
num(const char **p, const char *e, int n)
{
	int v = 0;

	if (e - *p < n)
		return -1;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* 1 and *p advanced if the next character is c (or c2). */
static int
eat(const char **p, const char *e, char c, char c2)
{
	if (*p >= e || (**p != c && **p != c2))
		return 0;
	(*p)++;
	return 1;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date; days past the
 * month's end run on into the next month, as timegm(3) has it.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int64_t
rfc3339_ns(const char *s, size_t len)
{
	int64_t ns = 0, scale = 100000000;
	const char *p = s, *e = s + len;
	int y, mo, d, h, mi, sec;

	if (s == NULL)
		return -1;
	/* YYYY-MM-DDTHH:MM:SS[.frac]Z, by hand: strptime is slow */
	/* the years whose ns fit an int64_t, from the epoch on */
	if ((y = num(&p, e, 4)) < 1970 || y > 2261 || !eat(&p, e, '-', '-') ||
	    (mo = num(&p, e, 2)) < 1 || mo > 12 || !eat(&p, e, '-', '-') ||
	    (d = num(&p, e, 2)) < 1 || d > 31 || !eat(&p, e, 'T', 't') ||
	    (h = num(&p, e, 2)) < 0 || h > 23 || !eat(&p, e, ':', ':') ||
	    (mi = num(&p, e, 2)) < 0 || mi > 59 || !eat(&p, e, ':', ':') ||
	    (sec = num(&p, e, 2)) < 0 || sec > 60)
		return -1;
	if (eat(&p, e, '.', '.')) {
		for (; p < e && isdigit((unsigned char)*p); p++) {
			ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (!eat(&p, e, 'Z', 'Z') || p != e)
		return -1;	/* XXX venues send UTC "Z" only */
	return ((days_from_civil(y, mo, d) * 24 + h) * 3600 + mi * 60 + sec) *
	    1000000000 + ns;
}

int64_t
jv_time(struct jv v)
{
	const char *t;
	size_t n;
	char buf[64];

	if (jt_str(v, buf, sizeof(buf), &t, &n) != 0)
		return -1;
	return rfc3339_ns(t, n);
}

int
venue_native(const struct venue_ops *ops, const char *sym, char *out,
    size_t len)
{
	const char *d = strchr(sym, '-');
	int n;

	if (d == NULL || d == sym || d[1] == '\0')
		return -1;
	n = snprintf(out, len, "%.*s%s%s", (int)(d - sym), sym,
	    ops->native_sep, d + 1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
venue_rest_levels(struct fsym *s, json_t *sides[2])
{
	size_t i;
	json_t *l;

	book_clear(&s->book);
	for (int ask = 0; ask <= 1; ask++)
		json_array_foreach(sides[ask], i, l)
			if (venue_jlevel(s, ask, json_array_get(l, 0),
			    json_array_get(l, 1), 0) != 0) {
				book_clear(&s->book);
				return -1;
			}
	return 0;
}

int
venue_rest_jlevels(struct fsym *s, const struct jv sides[2], size_t n[2])
{
	struct jit it;
	struct jv l, p, q;

	book_clear(&s->book);
	for (int ask = 0; ask <= 1; ask++) {
		n[ask] = 0;
		if (jt_begin(sides[ask], &it) != 0)
			goto bad;
		/* [price, qty, ...]: the first two, both strings */
		while (jt_next_pair(&it, &p, &q, &l)) {
			if (venue_jvlevel(s, ask, p, q, 0, 0) != 0)
				goto bad;
			n[ask]++;
		}
	}
	return 0;
bad:
	book_clear(&s->book);
	return -1;
}

int
venue_level(struct fsym *s, int ask, const char *p, size_t plen,
    const char *q, size_t qlen, int emit)
{
	int64_t pm, qm;
	int8_t pe, qe;

	if (dec_parse(p, plen, &pm, &pe) != DEC_OK ||
	    dec_parse(q, qlen, &qm, &qe) != DEC_OK || pm <= 0 || qm < 0)
		return -1;
	if (emit) {
		int found;
		size_t at = win_add(s, ask, pm, pe, qm, qe, &found);

		return book_set_at(&s->book, ask, at, found, pm, pe, qm,
		    qe) < 0 ? -1 : 0;
	}
	return book_set(&s->book, ask, pm, pe, qm, qe) < 0 ? -1 : 0;
}

int
venue_jlevel(struct fsym *s, int ask, json_t *p, json_t *q, int emit)
{
	if (!json_is_string(p) || !json_is_string(q))
		return -1;
	return venue_level(s, ask, json_string_value(p), json_string_length(p),
	    json_string_value(q), json_string_length(q), emit);
}

int
venue_pick(struct feed *f, const char *data, size_t len,
    const struct jt_names *ns, struct jv *k)
{
	size_t n = ns->n;
	struct jv m;

	if (jt_pick_names(data, len, ns, k, NULL) >= 0)
		return 0;
	/* rare: invalid, or a valid array (then no member, as jt_get) */
	if (jt_parse(data, len, &m) != 0) {
		feed_malformed(f, "not JSON", data, len);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct jv){ NULL, 0 };
	return 0;
}

int
jv_dec(struct jv v, int nums, char *buf, size_t cap, const char **t,
    size_t *n)
{
	if (nums && jt_type(v) == JT_NUM) {
		*t = v.p;
		*n = v.n;
		return 0;
	}
	return jt_str(v, buf, cap, t, n);
}

int
venue_jvlevel(struct fsym *s, int ask, struct jv p, struct jv q, int nums,
    int emit)
{
	const char *pt, *qt;
	size_t pn, qn;
	char pb[64], qb[64];

	if (jv_dec(p, nums, pb, sizeof(pb), &pt, &pn) != 0 ||
	    jv_dec(q, nums, qb, sizeof(qb), &qt, &qn) != 0)
		return -1;
	return venue_level(s, ask, pt, pn, qt, qn, emit);
}

/*
 * The JSON arena: venue messages are read with the scanner (json.h);
 * jansson is left to build subscriptions and read REST snapshots, and
 * allocates a handful of small blocks for each that are all freed
 * before the next, so blocks come from a bump arena that rewinds
 * whenever nothing in it is live.  What does not fit goes to malloc.
 * Off under AddressSanitizer, which should see every block.
 */
#if defined(__SANITIZE_ADDRESS__)
void
jfree(void *p)
{
	free(p);
}

void
venue_json_init(void)
{
}
#else
#define ARENA_SIZE	(1u << 20)
static _Alignas(16) unsigned char arena[ARENA_SIZE];
static size_t	arena_top, arena_live;

static void *
arena_malloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;

	if (need != 0 && need <= ARENA_SIZE - arena_top) {
		void *p = arena + arena_top;

		arena_top += need;
		arena_live++;
		return p;
	}
	return malloc(n);
}

void
jfree(void *p)
{
	if ((unsigned char *)p >= arena && (unsigned char *)p < arena +
	    ARENA_SIZE) {
		if (--arena_live == 0)
			arena_top = 0;
		return;
	}
	free(p);
}

void
venue_json_init(void)
{
	json_set_alloc_funcs(arena_malloc, jfree);
}
#endif

int64_t
venue_ms_ns(struct jv v, int64_t recv)
{
	int64_t ms;

	if (jt_i64(v, &ms) != 0 || ms <= 0 || ms > INT64_MAX / 1000000)
		return recv;
	return ms * 1000000;
}
