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
 * of the connection by unsubscribing and subscribing level2 again, which
 * makes the venue send fresh snapshots.
 * The recent-trades snapshot sent on subscribing is skipped (those trades
 * are history, and would repeat after every reconnect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "venue.h"

static int
cb_native(const char *sym, char *out, size_t len)
{
	return snprintf(out, len, "%s", sym) >= (int)len ? -1 : 0;
}

static void
cb_url(struct feed *f, const char *base, char *out, size_t len)
{
	(void)f;
	snprintf(out, len, "%s", base);
}

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

static void
cb_resync(struct feed *f, struct fsym *s)
{
	(void)f;
	(void)s;
	/* cb_msg resubscribes once for all products (cb_resubscribe) */
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

/* Applies one l2_data event; returns -1 if it was malformed. */
static int
cb_l2_event(struct feed *f, json_t *ev, int64_t ts, int64_t recv,
    uint64_t vseq)
{
	const char *type = jstr(ev, "type"), *pid = jstr(ev, "product_id");
	json_t *ups = json_object_get(ev, "updates"), *u;
	struct fsym *s;
	int snap;
	size_t i;

	if (type == NULL || pid == NULL || !json_is_array(ups))
		return -1;
	s = feed_sym(f, pid, strlen(pid));
	if (s == NULL)
		return -1;
	snap = strcmp(type, "snapshot") == 0;
	if (!snap && strcmp(type, "update") != 0)
		return -1;
	if (snap) {
		book_clear(&s->book);
	} else if (!s->synced) {
		f->ignored++;
		return 0;
	}
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, vseq);
	/* bids, then asks: the order a book message must have */
	for (int ask = 0; ask <= 1; ask++) {
		json_array_foreach(ups, i, u) {
			const char *side = jstr(u, "side");

			if (side == NULL)
				goto bad;
			if ((strcmp(side, "bid") == 0) == ask)
				continue;
			if (venue_jlevel(s, ask, json_object_get(u, "price_level"),
			    json_object_get(u, "new_quantity"), !snap) != 0)
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
		collector_emit(f->c, venue_msg.recs, msg_end(&venue_msg));
	}
	return 0;
bad:
	feed_malformed(f, "bad level2 update", pid, strlen(pid));
	feed_resync(f, s, "malformed level2 update");
	return 0;
}

static int
cb_trades_event(struct feed *f, json_t *ev, int64_t recv, uint64_t vseq)
{
	const char *type = jstr(ev, "type");
	json_t *trades = json_object_get(ev, "trades"), *t;
	size_t i;

	if (type == NULL || !json_is_array(trades))
		return -1;
	if (strcmp(type, "snapshot") == 0)
		return 0;
	json_array_foreach(trades, i, t) {
		const char *pid = jstr(t, "product_id"), *side = jstr(t, "side");
		const char *tid = jstr(t, "trade_id");
		json_t *p = json_object_get(t, "price");
		json_t *q = json_object_get(t, "size");
		int64_t ts = rfc3339_ns(jstr(t, "time"));
		struct fsym *s;
		unsigned sd;

		if (pid == NULL || side == NULL || tid == NULL ||
		    !json_is_string(p) || !json_is_string(q) || ts < 0 ||
		    (s = feed_sym(f, pid, strlen(pid))) == NULL)
			return -1;
		/* XXX taker side per exchanges.md [verify] */
		sd = strcmp(side, "BUY") == 0 ? SIDE_BUY :
		    strcmp(side, "SELL") == 0 ? SIDE_SELL : SIDE_UNKNOWN;
		feed_emit_trade(f, s, ts, recv, json_string_value(p),
		    json_string_length(p), json_string_value(q),
		    json_string_length(q), sd, tid, vseq);
	}
	return 0;
}

static void
cb_msg(struct feed *f, char *data, size_t len, int64_t recv)
{
	json_error_t jerr;
	json_t *m = json_loadb(data, len, 0, &jerr), *evs, *ev;
	const char *ch;
	uint64_t seq;
	int64_t ts;
	size_t i;
	char why[96];

	if (m == NULL) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	ch = jstr(m, "channel");
	if (ch == NULL) {
		const char *type = jstr(m, "type");

		feed_malformed(f, type != NULL && strcmp(type, "error") == 0 ?
		    "venue error" : "no channel", data, len);
		goto out;
	}
	if (ju64(json_object_get(m, "sequence_num"), &seq) != 0) {
		feed_malformed(f, "no sequence_num", data, len);
		goto out;
	}
	if (f->have_conn_seq && seq != f->conn_seq + 1) {
		snprintf(why, sizeof(why), "sequence_num gap: expected %llu, "
		    "got %llu", (unsigned long long)(f->conn_seq + 1),
		    (unsigned long long)seq);
		/* every book may have missed this: rebuild them all */
		for (size_t k = 0; k < f->nsyms; k++)
			if (f->syms[k].synced)
				feed_resync(f, &f->syms[k], why);
		cb_resubscribe(f, mono_ns());
	}
	f->have_conn_seq = 1;
	f->conn_seq = seq;
	evs = json_object_get(m, "events");
	if (strcmp(ch, "heartbeats") == 0 || strcmp(ch, "subscriptions") == 0)
		goto out;
	if (!json_is_array(evs)) {
		feed_malformed(f, "no events", data, len);
		goto out;
	}
	ts = rfc3339_ns(jstr(m, "timestamp"));
	if (ts < 0)
		ts = recv;
	if (strcmp(ch, "l2_data") == 0) {
		feed_data(f);
		json_array_foreach(evs, i, ev)
			if (cb_l2_event(f, ev, ts, recv, seq) != 0)
				feed_malformed(f, "bad l2_data event", data,
				    len);
	} else if (strcmp(ch, "market_trades") == 0) {
		feed_data(f);
		json_array_foreach(evs, i, ev)
			if (cb_trades_event(f, ev, recv, seq) != 0)
				feed_malformed(f, "bad market_trades event",
				    data, len);
	} else {
		f->ignored++;
	}
out:
	json_decref(m);
}

const struct venue_ops venue_coinbase = {
	.name = "coinbase",
	.id = VENUE_COINBASE,
	.default_url = "wss://advanced-trade-ws.coinbase.com",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USD",
	.default_depth = 0,
	.native = cb_native,
	.url = cb_url,
	.on_open = cb_open,
	.on_msg = cb_msg,
	.on_tick = cb_tick,
	.resync = cb_resync,
	.on_rest = NULL,
};
