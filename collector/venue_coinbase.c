/*
 * venue_coinbase.c: Coinbase Advanced Trade market data
 * (wss://advanced-trade-ws.coinbase.com).
 *
 * Channels: level2 (messages on "l2_data": one snapshot event, then
 * updates with absolute new_quantity), market_trades, heartbeats (keeps
 * quiet subscriptions open; not data).  One subscribe message per channel,
 * as the venue requires.  Symbols are the venue's product ids (BTC-USD).
 * Integrity: the envelope sequence_num must grow by exactly one per
 * message on a connection (heartbeats included); a gap resyncs every book
 * of the connection.  A book resynced, for a gap or a malformed level2
 * event, is rebuilt by unsubscribing and subscribing level2 again, which
 * makes the venue send fresh snapshots of every product: one such
 * resubscribe after the message however many books it resynced.
 * The recent-trades snapshot sent on subscribing is skipped (those trades
 * are history, and would repeat after every reconnect).  A trade's side
 * is the maker's, so "SELL" is a taker buy and "BUY" a taker sell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "venue.h"

/* Sends {"type":TYPE,"product_ids":[...],"channel":CHANNEL}. */
static void
cb_sub(struct feed *f, const char *type, const char *channel)
{
	json_t *m = json_object(), *ids = json_array();
	char *text;

	for (size_t i = 0; i < f->nsyms; i++)
		json_array_append_new(ids, json_string(f->syms[i].native));
	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "product_ids", ids);
	json_object_set_new(m, "channel", json_string(channel));
	text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL)
		feed_send(f, text);
	jfree(text);
	json_decref(m);
}

static void
cb_open(struct feed *f)
{
	/* heartbeats first: it keeps the others open on quiet products */
	cb_sub(f, "subscribe", "heartbeats");
	cb_sub(f, "subscribe", "level2");
	cb_sub(f, "subscribe", "market_trades");
}

/* Only marks the resubscribe due: cb_msg sends one for all its resyncs. */
static void
cb_resync(struct feed *f, struct fsym *s)
{
	(void)s;
	f->resub_due = 1;
}

/*
 * One unsubscribe + subscribe of level2 brings snapshots for every
 * product.  At most one a second (the venue allows 8 messages a second);
 * a later one waits for the tick.
 */
static void
cb_resubscribe(struct feed *f, int64_t mono)
{
	if (mono - f->resub_at < 1000000000) {
		f->resub_due = 1;
		return;
	}
	f->resub_due = 0;
	f->resub_at = mono;
	cb_sub(f, "unsubscribe", "level2");
	cb_sub(f, "subscribe", "level2");
}

static void
cb_tick(struct feed *f, int64_t mono)
{
	if (f->resub_due)
		cb_resubscribe(f, mono);
}

#define CB_KEEP	64	/* asks of an event kept while the bids apply */

/* The members of an l2_data event, as cb_l2_event takes them. */
static const char *const cb_l2_keys[] = { "type", "product_id", "updates" };

/*
 * Applies one l2_data event, its members k as cb_l2_keys names them;
 * returns -1 if it was malformed.
 */
static int
cb_l2_event(struct feed *f, const struct jv *k, int64_t ts, int64_t recv,
    uint64_t vseq)
{
	static const char *const ukeys[] = { "side", "price_level",
	    "new_quantity" };
	static struct jt_names un;
	struct jv u, uk[3], ap[CB_KEEP], aq[CB_KEEP];
	struct jit it, prev, more;
	struct fsym *s;
	size_t nask = 0;
	int snap;

	/*
	 * an event of a book that cannot be applied loses that book's
	 * changes, which no sequence shows: it is resynced (of a book not
	 * said, every book)
	 */
	if (jt_type(k[1]) != JT_STR) {
		feed_resync_all(f, "malformed level2 event");
		return -1;
	}
	s = feed_jsym(f, k[1]);
	if (s == NULL)
		return -1;
	snap = jt_eq(k[0], "snapshot");
	if (jt_type(k[2]) != JT_ARR || (!snap && !jt_eq(k[0], "update"))) {
		if (s->synced || snap)
			feed_resync(f, s, "malformed level2 event");
		return -1;
	}
	if (snap) {
		book_clear(&s->book);
	} else if (!s->synced) {
		f->ignored++;
		return 0;
	}
	venue_delta_begin(f, s, ts, recv, vseq);
	jt_names_once(&un, ukeys, 3);
	/*
	 * bids, then asks: the order a book message must have.  The asks
	 * seen while applying the bids are kept (up to CB_KEEP) for the
	 * second round; more than that are read again, from the first one
	 * not kept on (more: the iterator just before it), not from the
	 * start: a snapshot of 46000 levels is walked once and a half,
	 * not twice.
	 */
	jt_begin(k[2], &it);
	for (prev = more = it; jt_next_get(&it, &un, uk, &u); prev = it) {
		if (jt_type(uk[0]) != JT_STR)
			goto bad;
		/* "bid" or "offer": any other side is malformed, not an ask */
		if (!jt_eq(uk[0], "bid")) {
			if (!jt_eq(uk[0], "offer"))
				goto bad;
			if (nask < CB_KEEP) {
				ap[nask] = uk[1];
				aq[nask] = uk[2];
			} else if (nask == CB_KEEP) {
				more = prev;
			}
			nask++;
			continue;
		}
		if (venue_jvlevel(s, 0, uk[1], uk[2], 0, !snap) != 0)
			goto bad;
	}
	for (size_t i = 0; i < nask && i < CB_KEEP; i++)
		if (venue_jvlevel(s, 1, ap[i], aq[i], 0, !snap) != 0)
			goto bad;
	if (nask > CB_KEEP) {
		it = more;
		while (jt_next_get(&it, &un, uk, &u)) {
			if (!jt_eq(uk[0], "bid") &&
			    venue_jvlevel(s, 1, uk[1], uk[2], 0, !snap) != 0)
				goto bad;
		}
	}
	s->last = vseq;
	s->last_ts = ts;
	s->updates++;
	if (snap) {
		s->synced = 1;
		feed_emit_book(f, s, ts, recv, 0);
	} else {
		venue_delta_end(f, s);
	}
	return 0;
bad:
	feed_malformed(f, "bad level2 update", s->native, strlen(s->native));
	feed_resync(f, s, "malformed level2 update");
	return 0;
}

/* The trade members cb_trade reads, in this order. */
static const char *const cb_tkeys[] = { "product_id", "side", "trade_id",
    "price", "size", "time" };

/* A trade of an event: its members, its time, where the event listed it. */
struct cb_trade {
	struct jv	k[6];		/* as cb_tkeys names them */
	int64_t		ts;		/* -1: none */
	size_t		i;
};

/* oldest first; of one time, the one listed later first (newest first) */
static int
cb_trade_cmp(const void *a, const void *b)
{
	const struct cb_trade *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? 1 : x->i > y->i ? -1 : 0;
}

/* Publishes trade e, checked; returns -1 if it was malformed. */
static int
cb_trade(struct feed *f, const struct cb_trade *e, int64_t recv,
    uint64_t vseq)
{
	const char *tid, *p, *q;
	size_t tidn, pn, qn;
	char tb[64], pb[64], qb[64];
	struct fsym *s;
	unsigned sd;

	if (jt_type(e->k[1]) != JT_STR ||
	    jt_str(e->k[2], tb, sizeof(tb), &tid, &tidn) != 0 ||
	    jt_str(e->k[3], pb, sizeof(pb), &p, &pn) != 0 ||
	    jt_str(e->k[4], qb, sizeof(qb), &q, &qn) != 0 || e->ts < 0 ||
	    (s = feed_jsym(f, e->k[0])) == NULL)
		return -1;
	/*
	 * side is the maker's: recorded trades print "SELL" at the best
	 * ask, "BUY" at the best bid (collector(1) VENUES)
	 */
	sd = jt_eq(e->k[1], "SELL") ? SIDE_BUY : jt_eq(e->k[1], "BUY") ?
	    SIDE_SELL : SIDE_UNKNOWN;
	feed_emit_trade(f, s, e->ts, recv, p, pn, q, qn, sd, tid, tidn, vseq);
	return 0;
}

/*
 * The trades of a market_trades event, published oldest first: the venue
 * lists them newest first (every event of several trades in the recorded
 * traffic, tests/fixtures/venues/coinbase_advtrade_20260809), and readers
 * take the ring's order for the order of trades (deriver(1): a bar's
 * open and close).  Each trade's members are read once.  Returns -1 if
 * one was malformed (the others are published).
 */
static int
cb_trades_event(struct feed *f, struct jv ev, int64_t recv, uint64_t vseq)
{
	static const char *const keys[] = { "type", "trades" };
	static struct jt_names tn;
	static struct cb_trade *tr;
	static size_t cap;
	struct cb_trade one;
	struct jv k[2], t;
	struct jit it;
	size_t n = 0;
	int sorted = 1, bad = 0, more = 0;

	jt_get(ev, keys, k, 2);
	if (jt_type(k[0]) != JT_STR || jt_type(k[1]) != JT_ARR)
		return -1;
	if (jt_eq(k[0], "snapshot"))
		return 0;
	jt_names_once(&tn, cb_tkeys, 6);
	jt_begin(k[1], &it);
	while (jt_next(&it, NULL, &t)) {
		struct cb_trade *e;

		if (n == cap) {
			size_t ncap = cap != 0 ? 2 * cap : 64;
			struct cb_trade *nt = realloc(tr, ncap * sizeof(*nt));

			if (nt == NULL) {
				/* out of memory: the rest as listed */
				fprintf(stderr, "%s: coinbase: out of memory "
				    "ordering the trades of an event\n",
				    f->c->prog);
				more = 1;
				break;
			}
			tr = nt;
			cap = ncap;
		}
		e = &tr[n];
		jt_get_names(t, &tn, e->k);
		e->ts = jv_time(e->k[5]);
		e->i = n;
		if (n > 0 && cb_trade_cmp(&tr[n - 1], e) > 0)
			sorted = 0;
		n++;
	}
	if (!sorted)
		qsort(tr, n, sizeof(*tr), cb_trade_cmp);
	for (size_t i = 0; i < n; i++)
		bad |= cb_trade(f, &tr[i], recv, vseq);
	if (more) {
		do {
			jt_get_names(t, &tn, one.k);
			one.ts = jv_time(one.k[5]);
			bad |= cb_trade(f, &one, recv, vseq);
		} while (jt_next(&it, NULL, &t));
	}
	return bad;
}

static void
cb_dispatch(struct feed *f, const char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "channel", "sequence_num",
	    "events", "timestamp", "type" };
	static struct jt_names ns, l2n;
	struct jv k[5], ev, ek[3];
	struct jit it;
	uint64_t seq;
	int64_t ts;
	char why[96];

	if (venue_pick(f, data, len, jt_names_once(&ns, keys, 5), k) != 0)
		return;
	if (jt_type(k[0]) != JT_STR) {
		feed_malformed(f, jt_eq(k[4], "error") ? "venue error" :
		    "no channel", data, len);
		return;
	}
	if (jv_id(k[1], &seq) != 0) {
		feed_malformed(f, "no sequence_num", data, len);
		return;
	}
	if (f->have_conn_seq && seq == f->conn_seq) {
		/*
		 * the last message again: nothing was missed.  A lower one
		 * is a gap below: it may be a restart of the numbering,
		 * which only a resync follows safely
		 */
		f->ignored++;
		return;
	}
	if (f->have_conn_seq && seq != f->conn_seq + 1) {
		snprintf(why, sizeof(why), "sequence_num gap: expected %llu, "
		    "got %llu", (unsigned long long)(f->conn_seq + 1),
		    (unsigned long long)seq);
		/* every book may have missed this: rebuild them all */
		feed_resync_all(f, why);
		f->resub_due = 1;	/* and those not yet synced */
	}
	f->have_conn_seq = 1;
	f->conn_seq = seq;
	if (jt_eq(k[0], "heartbeats") || jt_eq(k[0], "subscriptions"))
		return;
	if (jt_type(k[2]) != JT_ARR) {
		feed_malformed(f, "no events", data, len);
		return;
	}
	ts = jv_time(k[3]);
	if (ts < 0)
		ts = recv;
	if (jt_eq(k[0], "l2_data")) {
		/* each event's members in one pass over it (jt_next_get) */
		feed_data(f);
		jt_names_once(&l2n, cb_l2_keys, 3);
		jt_begin(k[2], &it);
		while (jt_next_get(&it, &l2n, ek, &ev))
			if (cb_l2_event(f, ek, ts, recv, seq) != 0)
				feed_malformed(f, "bad l2_data event", data,
				    len);
	} else if (jt_eq(k[0], "market_trades")) {
		feed_data(f);
		jt_begin(k[2], &it);
		while (jt_next(&it, NULL, &ev))
			if (cb_trades_event(f, ev, recv, seq) != 0)
				feed_malformed(f, "bad market_trades event",
				    data, len);
	} else {
		feed_unknown(f, k[0], data, len);
	}
}

static void
cb_msg(struct feed *f, const char *data, size_t len, int64_t recv)
{
	cb_dispatch(f, data, len, recv);
	if (f->resub_due)
		cb_resubscribe(f, mono_ns());
}

const struct venue_ops venue_coinbase = {
	.name = "coinbase",
	.id = VENUE_COINBASE,
	.default_url = "wss://advanced-trade-ws.coinbase.com",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USD",
	.default_depth = 1000,
	.native_sep = "-",
	.on_open = cb_open,
	.on_msg = cb_msg,
	.on_tick = cb_tick,
	.resync = cb_resync,
	.on_rest = NULL,
};
