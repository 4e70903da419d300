/*
 * sim.c: the built-in market simulator.  For each symbol it keeps a real
 * order book (book.c) of at least SIM_DEPTH levels a side around a
 * random-walk mid price, and emits what a venue would: trades that take
 * liquidity at the best price, the book deltas those trades cause, quote
 * changes, walks of the mid (with the requotes behind them), new levels
 * inside the spread, and periodic full snapshots.
 * Everything but the timestamps is a function of --seed, so two runs with
 * the same seed and count write the same data.
 *
 * With several venues (--venues sim,sim2,sim3) each symbol has one book
 * per venue.  A common fair value per symbol walks at random; each venue's
 * book walks towards that fair value plus its own offset (small noise, and
 * now and then a dislocation of several levels that lasts a few hundred of
 * its events), so prices are correlated across venues, each venue has its
 * own noise, and a dislocated venue's bid rises above another venue's ask
 * (or its ask below another's bid) for a short while: crossed markets
 * between venues, never within one book.  With the one default venue
 * none of this draws a random number.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "feeds.h"
#include "util.h"

#define SIM_DEPTH	60	/* levels kept a side */
#define SIM_REQUOTE	8	/* levels a side requotes after a walk, at most */
#define SIM_MAX_SYMS	32
#define SIM_MAX_BOOKS	(SIM_MAX_SYMS * SIM_MAX_VENUES)
#define QTY_EXP		(-4)
#define SIM_DISLOC_ODDS	8000	/* one book event in this many dislocates */

struct sim_sym {
	char		name[REC_SYMBOL_LEN];
	unsigned	venue;		/* venue id */
	int		isym;		/* symbol index: fair[isym] */
	struct book	book;
	int8_t		px_exp;		/* price exponent: tick = 10^px_exp */
	int64_t		spacing;	/* ticks between resting levels */
	uint64_t	vseq;		/* book update counter */
	uint64_t	tid;
	int		changed;	/* since the last snapshot */
	int64_t		last_snap;	/* monotonic ns */
	int64_t		off;		/* several venues: offset from fair, ticks */
	int		disloc;		/* events left in a dislocation */
};

struct sim {
	struct collector	*c;
	struct sim_sym		 sym[SIM_MAX_BOOKS];	/* symbol-major */
	int			 nsym;		/* books: nsym * nven */
	int			 nven;
	unsigned		 ven[SIM_MAX_VENUES];
	int64_t			 fair[SIM_MAX_SYMS];	/* several venues, ticks */
	uint64_t		 rng;
	struct msgbuf		 mb;
};

struct venues_arg {
	unsigned	*ids;
	int		*n;
};

/* sim_venue: one name of a --venues list (list_each) */
static int
sim_venue(const char *name, void *arg, char *why, size_t whylen)
{
	struct venues_arg *va = arg;
	unsigned id = venue_id(name);

	if (id != VENUE_SIM && id != VENUE_SIM2 && id != VENUE_SIM3) {
		snprintf(why, whylen, "%s: not a simulated venue (sim, sim2, "
		    "sim3)", name);
		return -1;
	}
	va->ids[(*va->n)++] = id;	/* at most 3: list_each refuses twice */
	return 0;
}

/*
 * sim_venues: parses --venues LIST (comma-separated simulated venue names:
 * sim, sim2, sim3, each at most once) into ids[] and *n.  Returns 0, or
 * -1 with a message in why.
 */
int
sim_venues(const char *list, unsigned ids[SIM_MAX_VENUES], int *n,
    char *why, size_t whylen)
{
	struct venues_arg va = { ids, n };

	*n = 0;
	return list_each(list, 16, "sim, sim2, sim3", sim_venue, &va, why,
	    whylen);
}

/* splitmix64: small, fast, and good enough for a simulator */
static uint64_t
rnd(struct sim *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(struct sim *s, uint64_t n)
{
	return rnd(s) % n;
}

/* a quantity from 0.0001 to about 5, skewed small */
static int64_t
rnd_qty(struct sim *s)
{
	uint64_t a = rnd_below(s, 20000) + 1, b = rnd_below(s, 4) + 1;

	return (int64_t)(a * b / 2 + 1);
}

static const struct {
	const char	*name;
	int64_t		 mid;		/* in ticks */
	int8_t		 exp;
	int64_t		 spacing;	/* ticks between resting levels */
} known[] = {
	{ "BTC-USD", 6500000, -2, 10 }, { "ETH-USD", 350000, -2, 2 },
	{ "SOL-USD", 15000, -2, 1 }, { "BTC-USDT", 6500000, -2, 10 },
	{ "ETH-USDT", 350000, -2, 2 }, { "DOGE-USD", 150000, -6, 10 },
};

static int
sim_add_symbol(struct sim *s, const char *name)
{
	struct sim_sym *y;
	int64_t mid = 100000, sp = 1;
	int8_t exp = -3;

	if (!rec_symbol_ok(name)) {
		warnx("--symbols: %s: not BASE-QUOTE (A-Z, 0-9)", name);
		return -1;
	}
	if (s->nsym / s->nven == SIM_MAX_SYMS) {
		warnx("--symbols: at most %d symbols", SIM_MAX_SYMS);
		return -1;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strcmp(known[i].name, name) == 0) {
			mid = known[i].mid;
			exp = known[i].exp;
			sp = known[i].spacing;
		}
	s->fair[s->nsym / s->nven] = mid;
	for (int v = 0; v < s->nven; v++) {
		y = &s->sym[s->nsym];
		y->isym = s->nsym++ / s->nven;
		y->venue = s->ven[v];
		snprintf(y->name, sizeof(y->name), "%s", name);
		y->px_exp = exp;
		y->spacing = sp;
		book_init(&y->book, 0);
		/* SIM_DEPTH levels a side, a spread of two ticks around mid */
		for (int i = 0; i < SIM_DEPTH; i++) {
			book_set(&y->book, 0, mid - 1 - i * sp, exp,
			    rnd_qty(s), QTY_EXP);
			book_set(&y->book, 1, mid + 1 + i * sp, exp,
			    rnd_qty(s), QTY_EXP);
		}
	}
	return 0;
}

static void
emit_snapshot(struct sim *s, struct sim_sym *y, int64_t mono)
{
	size_t n = msg_from_book(&s->mb, &y->book, y->venue, y->name,
	    now_ns(), y->vseq, 0);

	collector_emit(s->c, s->mb.recs, n);
	y->changed = 0;
	y->last_snap = mono;
}

static int64_t
best(const struct book *b, int ask)
{
	const struct book_side *sd = ask ? &b->asks : &b->bids;

	return sd->n > 0 ? sd->lv[0].price : 0;
}

/* keeps each side at SIM_DEPTH levels by adding one at the far end */
static void
refill(struct sim *s, struct sim_sym *y, int ask)
{
	struct book_side *sd = ask ? &y->book.asks : &y->book.bids;
	int64_t p, q;

	while (sd->n < SIM_DEPTH) {
		p = sd->n > 0 ? sd->lv[sd->n - 1].price : 0;
		p = ask ? p + y->spacing * (1 + (int64_t)rnd_below(s, 2)) :
		    p - y->spacing * (1 + (int64_t)rnd_below(s, 2));
		if (p <= 0)
			break;
		q = rnd_qty(s);
		book_set(&y->book, ask, p, y->px_exp, q, QTY_EXP);
		msg_add(&s->mb, ask, p, y->px_exp, q, QTY_EXP);
	}
}

/* trim: cuts side ask back to SIM_DEPTH levels at its far end */
static void
trim(struct sim *s, struct sim_sym *y, int ask)
{
	struct book_side *sd = ask ? &y->book.asks : &y->book.bids;

	while (sd->n > SIM_DEPTH) {
		struct book_level w = sd->lv[sd->n - 1];

		book_set(&y->book, ask, w.price, w.price_exp, 0, QTY_EXP);
		msg_add(&s->mb, ask, w.price, w.price_exp, 0, QTY_EXP);
	}
}

/*
 * After a walk has put side ask's new best at p, that side's makers
 * requote between p and their old best ob: levels one or two spacings
 * apart from p on, at most SIM_REQUOTE of them, so that the walk leaves
 * no hole behind the new best; then the side is cut back to SIM_DEPTH at
 * its far end.  Without the requote each walk left one, the holes grew
 * into a gap of thousands of ticks between two clusters of levels, and
 * the mid jumped between them until a price reached zero.
 */
static void
requote(struct sim *s, struct sim_sym *y, int ask, int64_t p, int64_t ob)
{
	int64_t q;

	for (int i = 0; i < SIM_REQUOTE; i++) {
		p = ask ? p + y->spacing * (1 + (int64_t)rnd_below(s, 2)) :
		    p - y->spacing * (1 + (int64_t)rnd_below(s, 2));
		if (ask ? p >= ob : p <= ob)
			break;
		q = rnd_qty(s);
		book_set(&y->book, ask, p, y->px_exp, q, QTY_EXP);
		msg_add(&s->mb, ask, p, y->px_exp, q, QTY_EXP);
	}
	trim(s, y, ask);
}

/* where a book of several venues may put its best prices (sim_drift) */
struct sim_aim {
	int64_t	tgt;		/* kept between its best bid and best ask */
	int64_t	bid_max;	/* a new bid at most this */
	int64_t	ask_min;	/* a new ask at least this */
};

/*
 * sim_drift: with several venues, before each event on book y: the
 * symbol's fair value takes a step of one level up or down in one event
 * in sixteen, and once in SIM_DISLOC_ODDS events y is dislocated: its
 * target moves four to seven levels up or down for 200 to 499 of its
 * events.  Fills *aim: y's target (fair value + offset), and unless y is
 * dislocated, bounds that keep a new bid below every other venue's best
 * ask and a new ask above every other venue's best bid (dislocated venues
 * not counted).  So books that are not dislocated never lock or cross
 * one another, and a dislocated one, walking to its target, does.
 */
static void
sim_drift(struct sim *s, struct sim_sym *y, struct sim_aim *aim)
{
	int64_t *fair = &s->fair[y->isym], sp = y->spacing;
	unsigned r = (unsigned)rnd_below(s, 16);

	if (r == 0)
		*fair += sp;
	else if (r == 1 && *fair > 4 * SIM_DEPTH * sp)
		*fair -= sp;
	if (y->disloc > 0) {
		if (--y->disloc == 0)
			y->off = 0;
	} else if (rnd_below(s, SIM_DISLOC_ODDS) == 0) {
		y->off = (4 + (int64_t)rnd_below(s, 4)) * sp;
		if (rnd_below(s, 2) == 0)
			y->off = -y->off;
		y->disloc = 200 + (int)rnd_below(s, 300);
	}
	aim->tgt = aim->bid_max = aim->ask_min = *fair + y->off;
	if (y->disloc > 0)
		return;
	for (int v = 0; v < s->nven; v++) {
		const struct sim_sym *o = &s->sym[y->isym * s->nven + v];

		if (o == y || o->disloc > 0)
			continue;
		if (o->book.asks.n > 0 && best(&o->book, 1) - 1 < aim->bid_max)
			aim->bid_max = best(&o->book, 1) - 1;
		if (o->book.bids.n > 0 && best(&o->book, 0) + 1 > aim->ask_min)
			aim->ask_min = best(&o->book, 0) + 1;
	}
}

/* the number of levels, at most 3, of side sd priced beyond tgt */
static int
beyond(const struct book_side *sd, int ask, int64_t tgt)
{
	int k = 0;

	while (k < 3 && (size_t)k < sd->n && (ask ? sd->lv[k].price < tgt :
	    sd->lv[k].price > tgt))
		k++;
	return k;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * settle: the delta in s->mb, whose levels were added as the event set
 * them (y's book already holds the result), made as tickpipe-json(5)
 * says a book message is: each side best first, each price once, at
 * the quantity it has now (0: gone).
 */
static void
settle(struct sim *s, struct sim_sym *y)
{
	int64_t px[2][JSONL_MAX_RECS * REC_BOOK_LEVELS / 64];
	size_t n[2] = { 0, 0 }, cap = sizeof(px[0]) / sizeof(px[0][0]);
	const struct tp_record *h = &s->mb.recs[0];
	int64_t ts = h->ts;
	uint64_t vseq = h->vseq;

	for (size_t i = 0; i < s->mb.nlev; i++) {
		const struct rec_book *b =
		    &s->mb.recs[i / REC_BOOK_LEVELS].u.book;
		size_t j = i % REC_BOOK_LEVELS;
		int ask = j >= b->nbids;

		if (n[ask] == cap)
			return;		/* cannot happen: left as it is */
		px[ask][n[ask]++] = b->price[j];
	}
	msg_begin(&s->mb, y->venue, y->name, 0, ts, 0, vseq);
	for (int ask = 0; ask <= 1; ask++) {
		qsort(px[ask], n[ask], sizeof(px[ask][0]), cmp_i64);
		for (size_t k = 0; k < n[ask]; k++) {
			/* bids: highest first */
			int64_t p = px[ask][ask ? k : n[ask] - 1 - k];
			struct book_side *sd = ask ? &y->book.asks :
			    &y->book.bids;
			int found;
			size_t at;

			if (k > 0 && p == px[ask][ask ? k - 1 : n[ask] - k])
				continue;
			at = book_find(&y->book, ask, p, y->px_exp, &found);
			msg_add(&s->mb, ask, p, y->px_exp,
			    found ? sd->lv[at].qty : 0, QTY_EXP);
		}
	}
}

/*
 * One simulated event on symbol y: a trade (with the delta it causes),
 * or a quote change.  Emits one or two messages (one if room < 2) and
 * returns how many.  With several venues aim is y's (sim_drift): a book
 * whose best bid is above the target or best ask below it walks towards
 * it before anything else happens, a random walk becomes a quantity
 * change, and a new best price stays within aim's bounds; with one venue
 * aim is NULL and the walk is free.
 */
static int
sim_step(struct sim *s, struct sim_sym *y, int room,
    const struct sim_aim *aim)
{
	unsigned r = (unsigned)rnd_below(s, 100);
	int64_t now = now_ns();
	int pull = 0, kpull = 0;

	if (aim != NULL) {
		if ((kpull = beyond(&y->book.asks, 1, aim->tgt)) > 0)
			pull = 1;
		else if ((kpull = beyond(&y->book.bids, 0, aim->tgt)) > 0)
			pull = -1;
		if (pull != 0)
			r = 25;		/* the walk, towards the target */
		else if (r >= 25 && r < 37)
			r = 50;		/* no free walk: a quantity change */
	}

	if (r < 25 && room >= 2) {
		/* a taker trade at the best price on one side */
		int ask = (int)rnd_below(s, 2);	/* buy takes the ask */
		struct book_side *sd = ask ? &y->book.asks : &y->book.bids;
		struct tp_record t;
		int64_t px, have, q;

		if (sd->n == 0)
			return 0;
		px = sd->lv[0].price;
		have = sd->lv[0].qty;
		q = (int64_t)rnd_below(s, (uint64_t)have) + 1;
		memset(&t, 0, sizeof(t));
		t.type = REC_TRADE;
		t.venue = (uint16_t)y->venue;
		snprintf(t.symbol, sizeof(t.symbol), "%s", y->name);
		t.ts = now;
		t.vseq = ++y->tid;
		t.u.trade.price = px;
		t.u.trade.price_exp = y->px_exp;
		t.u.trade.qty = q;
		t.u.trade.qty_exp = QTY_EXP;
		t.u.trade.side = ask ? SIDE_BUY : SIDE_SELL;
		snprintf(t.u.trade.tid, sizeof(t.u.trade.tid), "%llu",
		    (unsigned long long)y->tid);
		collector_emit(s->c, &t, 1);
		/* the delta the trade caused */
		msg_begin(&s->mb, y->venue, y->name, 0, now, 0, ++y->vseq);
		if (!ask) {
			book_set(&y->book, 0, px, y->px_exp, have - q, QTY_EXP);
			msg_add(&s->mb, 0, px, y->px_exp, have - q, QTY_EXP);
			refill(s, y, 0);
		} else {
			book_set(&y->book, 1, px, y->px_exp, have - q, QTY_EXP);
			msg_add(&s->mb, 1, px, y->px_exp, have - q, QTY_EXP);
			refill(s, y, 1);
		}
	} else if (r < 37) {
		/*
		 * The random walk: the best level of one side is taken out
		 * and the other side steps into its price, so the mid moves
		 * by one level, up or down with equal odds (or, pulled, as
		 * far as the target).
		 */
		int up = pull != 0 ? pull > 0 : (int)rnd_below(s, 2);
		int k = pull != 0 ? kpull : 1 + (int)rnd_below(s, 3);
		struct book_side *sd = up ? &y->book.bids : &y->book.asks;
		struct book_side *od = up ? &y->book.asks : &y->book.bids;
		int64_t gone[3], p, q = rnd_qty(s), ob;

		if (od->n <= (size_t)k || od->lv[k - 1].price <= 1)
			return 0;
		/* the k best levels of the other side go; we step into them */
		for (int i = 0; i < k; i++)
			gone[i] = od->lv[i].price;
		p = gone[k - 1];
		if (aim != NULL && up && p > aim->bid_max)
			p = aim->bid_max;
		else if (aim != NULL && !up && p < aim->ask_min)
			p = aim->ask_min;
		ob = sd->n > 0 ? sd->lv[0].price : p;
		msg_begin(&s->mb, y->venue, y->name, 0, now, 0, ++y->vseq);
		if (up) {
			book_set(&y->book, 0, p, y->px_exp, q, QTY_EXP);
			msg_add(&s->mb, 0, p, y->px_exp, q, QTY_EXP);
			requote(s, y, 0, p, ob);
			for (int i = 0; i < k; i++) {
				book_set(&y->book, 1, gone[i], y->px_exp, 0,
				    QTY_EXP);
				msg_add(&s->mb, 1, gone[i], y->px_exp, 0,
				    QTY_EXP);
			}
			refill(s, y, 1);
		} else {
			for (int i = 0; i < k; i++) {
				book_set(&y->book, 0, gone[i], y->px_exp, 0,
				    QTY_EXP);
				msg_add(&s->mb, 0, gone[i], y->px_exp, 0,
				    QTY_EXP);
			}
			refill(s, y, 0);
			book_set(&y->book, 1, p, y->px_exp, q, QTY_EXP);
			msg_add(&s->mb, 1, p, y->px_exp, q, QTY_EXP);
			requote(s, y, 1, p, ob);
		}
	} else if (r < 45 && best(&y->book, 1) - best(&y->book, 0) > 1) {
		/* a new level inside the spread */
		int ask = (int)rnd_below(s, 2);
		int64_t p = ask ? best(&y->book, 1) - 1 : best(&y->book, 0) + 1;
		int64_t q = rnd_qty(s);

		/* within bounds: else at most a new size for the best level */
		if (aim != NULL && (ask ? p < aim->ask_min : p > aim->bid_max))
			p = ask ? best(&y->book, 1) : best(&y->book, 0);
		msg_begin(&s->mb, y->venue, y->name, 0, now, 0, ++y->vseq);
		book_set(&y->book, ask, p, y->px_exp, q, QTY_EXP);
		msg_add(&s->mb, ask, p, y->px_exp, q, QTY_EXP);
		trim(s, y, ask);
	} else {
		/* quantity changes at one to three levels near the top */
		int nchg = 1 + (int)rnd_below(s, 3);
		int64_t bp[3], bq[3], ap[3], aq[3];
		int nb = 0, na = 0;

		for (int i = 0; i < nchg; i++) {
			int ask = (int)rnd_below(s, 2);
			struct book_side *sd = ask ? &y->book.asks :
			    &y->book.bids;
			size_t k;
			int64_t q;

			if (sd->n == 0)
				continue;
			k = (size_t)rnd_below(s, sd->n < 10 ? sd->n : 10);
			q = rnd_qty(s);
			book_set(&y->book, ask, sd->lv[k].price, y->px_exp, q,
			    QTY_EXP);
			if (ask) {
				ap[na] = sd->lv[k].price;
				aq[na++] = q;
			} else {
				bp[nb] = sd->lv[k].price;
				bq[nb++] = q;
			}
		}
		msg_begin(&s->mb, y->venue, y->name, 0, now, 0, ++y->vseq);
		for (int i = 0; i < nb; i++)
			msg_add(&s->mb, 0, bp[i], y->px_exp, bq[i], QTY_EXP);
		for (int i = 0; i < na; i++)
			msg_add(&s->mb, 1, ap[i], y->px_exp, aq[i], QTY_EXP);
	}
	y->changed = 1;
	settle(s, y);
	collector_emit(s->c, s->mb.recs, msg_end(&s->mb));
	return r < 25 && room >= 2 ? 2 : 1;
}

int
sim_main(struct collector *c, const struct feed_opts *o)
{
	static struct sim s;
	char *list, *tok, *save = NULL;
	uint64_t sent = 0;
	int64_t start, mono, last_hb = 0;
	struct sim_aim aim;
	char reason[64];

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.rng = o->seed;
	s.nven = o->nvenues;
	if (s.nven == 0)
		s.ven[s.nven++] = VENUE_SIM;
	else
		memcpy(s.ven, o->venues, sizeof(s.ven));
	list = strdup(o->symbols != NULL ? o->symbols :
	    "BTC-USD,ETH-USD,SOL-USD");
	if (list == NULL)
		err(EX_OSERR, "strdup");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (sim_add_symbol(&s, tok) < 0) {
			free(list);
			return EX_USAGE;
		}
	free(list);
	if (s.nsym == 0) {
		warnx("--symbols: no symbol given");
		return EX_USAGE;
	}

	snprintf(reason, sizeof(reason), "simulator, seed %llu",
	    (unsigned long long)o->seed);
	for (int v = 0; v < s.nven; v++)
		collector_status(c, s.ven[v], NULL, ST_CONNECTED, reason);
	sent = (uint64_t)s.nven;
	mono = mono_ns();
	for (int i = 0; i < s.nsym && (o->count == 0 || sent < o->count);
	    i++, sent++)
		emit_snapshot(&s, &s.sym[i], mono);
	notify_ready(c->ready_fd);
	c->ready_fd = -1;

	start = mono_ns();
	for (uint64_t i = 0; o->count == 0 || sent < o->count; i++) {
		struct sim_sym *y = &s.sym[rnd_below(&s, (uint64_t)s.nsym)];

		if (collector_poll_signals(c))
			break;
		if (o->rate > 0) {
			int64_t due = start + (int64_t)((double)i * 1e9 /
			    o->rate);

			if (mono_ns() < due)
				sleep_until(due);
			if (collector_stop)
				break;
		}
		sent += (uint64_t)sim_step(&s, y, o->count == 0 ||
		    o->count - sent >= 2 ? 2 : 1, s.nven > 1 ?
		    (sim_drift(&s, y, &aim), &aim) : NULL);
		if ((i & 255) == 0 || o->rate > 0) {
			mono = mono_ns();
			if (mono - last_hb > 100000000) {
				ring_heartbeat(c->ring);
				last_hb = mono;
			}
			if (c->snapshot_interval_ns > 0)
				for (int k = 0; k < s.nsym; k++)
					if (s.sym[k].changed && mono -
					    s.sym[k].last_snap >=
					    c->snapshot_interval_ns &&
					    (o->count == 0 || sent < o->count)) {
						emit_snapshot(&s, &s.sym[k],
						    mono);
						c->snapshots++;
						sent++;
					}
		}
	}
	for (int i = 0; i < s.nsym; i++)
		book_free(&s.sym[i].book);
	return 0;
}
