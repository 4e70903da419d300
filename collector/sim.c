/*
 * sim.c: the built-in market simulator.  For each symbol it keeps a real
 * order book (book.c) of at least SIM_DEPTH levels a side around a
 * random-walk mid price, and emits what a venue would: trades that take
 * liquidity at the best price, the book deltas those trades cause, quote
 * changes, new levels inside the spread, and periodic full snapshots.
 * Everything but the timestamps is a function of --seed, so two runs with
 * the same seed and count write the same data.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "feeds.h"
#include "util.h"

#define SIM_DEPTH	60	/* levels kept a side */
#define SIM_MAX_SYMS	32
#define QTY_EXP		(-4)

struct sim_sym {
	char		name[REC_SYMBOL_LEN];
	struct book	book;
	int8_t		px_exp;		/* price exponent: tick = 10^px_exp */
	int64_t		spacing;	/* ticks between resting levels */
	uint64_t	vseq;		/* book update counter */
	uint64_t	tid;
	int		changed;	/* since the last snapshot */
	int64_t		last_snap;	/* monotonic ns */
};

struct sim {
	struct collector	*c;
	struct sim_sym		 sym[SIM_MAX_SYMS];
	int			 nsym;
	uint64_t		 rng;
	struct msgbuf		 mb;
};

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
	if (s->nsym == SIM_MAX_SYMS) {
		warnx("--symbols: at most %d symbols", SIM_MAX_SYMS);
		return -1;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strcmp(known[i].name, name) == 0) {
			mid = known[i].mid;
			exp = known[i].exp;
			sp = known[i].spacing;
		}
	y = &s->sym[s->nsym++];
	snprintf(y->name, sizeof(y->name), "%s", name);
	y->px_exp = exp;
	y->spacing = sp;
	book_init(&y->book, 0);
	/* SIM_DEPTH levels a side, a spread of two ticks around mid */
	for (int i = 0; i < SIM_DEPTH; i++) {
		book_set(&y->book, 0, mid - 1 - i * sp, exp, rnd_qty(s),
		    QTY_EXP);
		book_set(&y->book, 1, mid + 1 + i * sp, exp, rnd_qty(s),
		    QTY_EXP);
	}
	return 0;
}

static void
emit_snapshot(struct sim *s, struct sim_sym *y, int64_t mono)
{
	size_t n = msg_from_book(&s->mb, &y->book, VENUE_SIM, y->name,
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

/*
 * One simulated event on symbol y: a trade (with the delta it causes),
 * or a quote change.  Emits one or two messages (one if room < 2) and
 * returns how many.
 */
static int
sim_step(struct sim *s, struct sim_sym *y, int room)
{
	unsigned r = (unsigned)rnd_below(s, 100);
	int64_t now = now_ns();

	y->vseq++;
	y->changed = 1;
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
		t.venue = VENUE_SIM;
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
		msg_begin(&s->mb, VENUE_SIM, y->name, 0, now, 0, y->vseq);
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
		 * by one level, up or down with equal odds.
		 */
		int up = (int)rnd_below(s, 2), k = 1 + (int)rnd_below(s, 3);
		struct book_side *sd = up ? &y->book.bids : &y->book.asks;
		struct book_side *od = up ? &y->book.asks : &y->book.bids;
		int64_t gone[3], p, q = rnd_qty(s);

		if (od->n <= (size_t)k || od->lv[k - 1].price <= 1)
			return 0;
		/* the k best levels of the other side go; we step into them */
		for (int i = 0; i < k; i++)
			gone[i] = od->lv[i].price;
		p = gone[k - 1];
		msg_begin(&s->mb, VENUE_SIM, y->name, 0, now, 0, y->vseq);
		if (up) {
			book_set(&y->book, 0, p, y->px_exp, q, QTY_EXP);
			msg_add(&s->mb, 0, p, y->px_exp, q, QTY_EXP);
			if (sd->n > SIM_DEPTH) {
				struct book_level w = sd->lv[sd->n - 1];

				book_set(&y->book, 0, w.price, w.price_exp, 0,
				    QTY_EXP);
				msg_add(&s->mb, 0, w.price, w.price_exp, 0,
				    QTY_EXP);
			}
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
			if (sd->n > SIM_DEPTH) {
				struct book_level w = sd->lv[sd->n - 1];

				book_set(&y->book, 1, w.price, w.price_exp, 0,
				    QTY_EXP);
				msg_add(&s->mb, 1, w.price, w.price_exp, 0,
				    QTY_EXP);
			}
		}
	} else if (r < 45 && best(&y->book, 1) - best(&y->book, 0) > 1) {
		/* a new level inside the spread */
		int ask = (int)rnd_below(s, 2);
		int64_t p = ask ? best(&y->book, 1) - 1 : best(&y->book, 0) + 1;
		int64_t q = rnd_qty(s);
		struct book_side *sd = ask ? &y->book.asks : &y->book.bids;

		msg_begin(&s->mb, VENUE_SIM, y->name, 0, now, 0, y->vseq);
		book_set(&y->book, ask, p, y->px_exp, q, QTY_EXP);
		/* drop the worst level to keep the depth */
		if (sd->n > SIM_DEPTH) {
			struct book_level w = sd->lv[sd->n - 1];

			book_set(&y->book, ask, w.price, w.price_exp, 0,
			    QTY_EXP);
			if (!ask)
				msg_add(&s->mb, 0, w.price, w.price_exp, 0,
				    QTY_EXP);
			msg_add(&s->mb, ask, p, y->px_exp, q, QTY_EXP);
			if (ask)
				msg_add(&s->mb, 1, w.price, w.price_exp, 0,
				    QTY_EXP);
		} else
			msg_add(&s->mb, ask, p, y->px_exp, q, QTY_EXP);
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
		msg_begin(&s->mb, VENUE_SIM, y->name, 0, now, 0, y->vseq);
		for (int i = 0; i < nb; i++)
			msg_add(&s->mb, 0, bp[i], y->px_exp, bq[i], QTY_EXP);
		for (int i = 0; i < na; i++)
			msg_add(&s->mb, 1, ap[i], y->px_exp, aq[i], QTY_EXP);
	}
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
	char reason[64];

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.rng = o->seed;
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
	collector_status(c, VENUE_SIM, NULL, ST_CONNECTED, reason);
	sent = 1;
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
		    o->count - sent >= 2 ? 2 : 1);
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
