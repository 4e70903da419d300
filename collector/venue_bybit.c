/*
 * venue_bybit.c: Bybit v5 public spot streams
 * (wss://stream.bybit.com/v5/public/spot).
 *
 * Topics orderbook.{depth}.{symbol} (--depth rounded up to 1, 50, 200 or
 * 1000, default 50) and publicTrade.{symbol}, at most 10 args per
 * subscribe request as spot requires; {"op":"ping"} every 20 s.  Symbols
 * BTC-USDT <-> BTCUSDT (the quote is mapped literally).
 * Book rules: a snapshot (or any message with u = 1, the venue's restart
 * signal) replaces the book; deltas must continue the update id: u at
 * or below the book's is a duplicate and ignored, u above the book's + 1
 * is a gap (XXX the docs state no "+1" rule; the venue's deltas carry
 * consecutive u per topic and a gap is treated as lost data): resync by
 * unsubscribing and subscribing the topic, which brings a new snapshot.
 * seq (the cross sequence) is kept as the venue sequence of trades.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venue.h"

static size_t
by_depth(const struct feed *f)
{
	static const size_t d[] = { 1, 50, 200, 1000 };

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (f->depth <= d[i])
			return d[i];
	return 1000;
}

static int
by_native(const char *sym, char *out, size_t len)
{
	char base[16], quote[16];

	if (venue_split(sym, base, quote) != 0)
		return -1;
	return snprintf(out, len, "%s%s", base, quote) >= (int)len ? -1 : 0;
}

static void
by_url(struct feed *f, const char *base, char *out, size_t len)
{
	(void)f;
	snprintf(out, len, "%s", base);
}

/* Sends op for the topics of s (NULL: all), 10 args a request. */
static void
by_sub(struct feed *f, const char *op, struct fsym *only, int trades)
{
	json_t *m = NULL, *args = NULL;
	char topic[96], *text;

	for (size_t i = 0; i <= f->nsyms; i++) {
		if (m != NULL && (i == f->nsyms || json_array_size(args) >= 9)) {
			text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (text != NULL)
				feed_send(f, text);
			jfree(text);
			json_decref(m);
			m = NULL;
		}
		if (i == f->nsyms)
			break;
		if (only != NULL && only != &f->syms[i])
			continue;
		if (m == NULL) {
			m = json_object();
			args = json_array();
			json_object_set_new(m, "req_id", json_string(op));
			json_object_set_new(m, "op", json_string(op));
			json_object_set_new(m, "args", args);
		}
		snprintf(topic, sizeof(topic), "orderbook.%zu.%s", by_depth(f),
		    f->syms[i].native);
		json_array_append_new(args, json_string(topic));
		if (trades) {
			snprintf(topic, sizeof(topic), "publicTrade.%s",
			    f->syms[i].native);
			json_array_append_new(args, json_string(topic));
		}
	}
}

static void
by_open(struct feed *f)
{
	by_sub(f, "subscribe", NULL, 1);
}

static void
by_resync(struct feed *f, struct fsym *s)
{
	by_sub(f, "unsubscribe", s, 0);
	by_sub(f, "subscribe", s, 0);
}

static void
by_tick(struct feed *f, int64_t mono)
{
	if (mono - f->last_send >= 20000000000LL)
		feed_send(f, "{\"req_id\":\"ping\",\"op\":\"ping\"}");
}

static void
by_book(struct feed *f, json_t *m, const char *type, char *data, size_t len,
    int64_t recv)
{
	json_t *d = json_object_get(m, "data");
	const char *native = jstr(d, "s");
	struct fsym *s;
	uint64_t u;
	int64_t ts = 0;
	int snap;
	char why[96];

	if (native == NULL || (s = feed_sym(f, native, strlen(native))) ==
	    NULL || ju64(json_object_get(d, "u"), &u) != 0) {
		feed_malformed(f, "orderbook without s or u", data, len);
		return;
	}
	if (ji64(json_object_get(m, "cts"), &ts) != 0)
		(void)ji64(json_object_get(m, "ts"), &ts);
	ts *= 1000000;
	snap = strcmp(type, "snapshot") == 0 || u == 1;
	if (!snap && strcmp(type, "delta") != 0) {
		feed_malformed(f, "unknown orderbook type", data, len);
		return;
	}
	if (!snap) {
		if (!s->synced || u <= s->last) {
			f->ignored++;
			return;
		}
		if (u != s->last + 1) {
			snprintf(why, sizeof(why), "update id gap: book at "
			    "%llu, got %llu", (unsigned long long)s->last,
			    (unsigned long long)u);
			feed_resync(f, s, why);
			return;
		}
	} else {
		book_clear(&s->book);
	}
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, u);
	for (int ask = 0; ask <= 1; ask++) {
		json_t *lv = json_object_get(d, ask ? "a" : "b"), *l;
		size_t i;

		if (!json_is_array(lv))
			goto bad;
		json_array_foreach(lv, i, l)
			if (venue_jlevel(s, ask, json_array_get(l, 0),
			    json_array_get(l, 1), !snap) != 0)
				goto bad;
	}
	s->last = u;
	s->last_ts = ts;
	s->updates++;
	if (snap) {
		s->synced = 1;
		feed_emit_book(f, s, ts, recv, 0);
	} else {
		collector_emit(f->c, venue_msg.recs, msg_end(&venue_msg));
	}
	return;
bad:
	feed_malformed(f, "bad orderbook levels", data, len);
	feed_resync(f, s, "malformed orderbook message");
}

static void
by_trades(struct feed *f, json_t *m, char *data, size_t len, int64_t recv)
{
	json_t *arr = json_object_get(m, "data"), *t;
	size_t i;

	if (!json_is_array(arr)) {
		feed_malformed(f, "publicTrade without data", data, len);
		return;
	}
	json_array_foreach(arr, i, t) {
		const char *native = jstr(t, "s"), *side = jstr(t, "S");
		const char *tid = jstr(t, "i");
		json_t *p = json_object_get(t, "p"), *q = json_object_get(t, "v");
		struct fsym *s;
		int64_t ts;
		uint64_t seq = 0;

		if (native == NULL || side == NULL || tid == NULL ||
		    !json_is_string(p) || !json_is_string(q) ||
		    ji64(json_object_get(t, "T"), &ts) != 0 ||
		    (s = feed_sym(f, native, strlen(native))) == NULL) {
			feed_malformed(f, "bad trade", data, len);
			continue;
		}
		(void)ju64(json_object_get(t, "seq"), &seq);
		feed_emit_trade(f, s, ts * 1000000, recv, json_string_value(p),
		    json_string_length(p), json_string_value(q),
		    json_string_length(q), strcmp(side, "Buy") == 0 ? SIDE_BUY :
		    strcmp(side, "Sell") == 0 ? SIDE_SELL : SIDE_UNKNOWN, tid,
		    seq);
	}
}

static void
by_msg(struct feed *f, char *data, size_t len, int64_t recv)
{
	json_error_t jerr;
	json_t *m = json_loadb(data, len, 0, &jerr);
	const char *topic, *type;

	if (m == NULL) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	topic = jstr(m, "topic");
	type = jstr(m, "type");
	if (topic == NULL) {
		/* op replies: subscribe acks, pongs */
		if (jstr(m, "op") == NULL ||
		    json_is_false(json_object_get(m, "success")))
			feed_malformed(f, jstr(m, "op") ? "venue error" :
			    "unexpected message", data, len);
	} else if (strncmp(topic, "orderbook.", 10) == 0 && type != NULL) {
		feed_data(f);
		by_book(f, m, type, data, len, recv);
	} else if (strncmp(topic, "publicTrade.", 12) == 0) {
		feed_data(f);
		by_trades(f, m, data, len, recv);
	} else {
		feed_malformed(f, "unexpected topic", data, len);
	}
	json_decref(m);
}

const struct venue_ops venue_bybit = {
	.name = "bybit",
	.id = VENUE_BYBIT,
	.default_url = "wss://stream.bybit.com/v5/public/spot",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USDT",
	.default_depth = 50,
	.native = by_native,
	.url = by_url,
	.on_open = by_open,
	.on_msg = by_msg,
	.on_tick = by_tick,
	.resync = by_resync,
	.on_rest = NULL,
};
