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
 * Only the orderbook topic subscribed is applied: each depth is its own
 * stream with its own snapshots and update ids, so a frame of another
 * depth's topic for the same symbol (orderbook.200.X on orderbook.50.X)
 * would corrupt the book; it is counted as unknown and said once per
 * topic (collector(1) VENUES).
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

/*
 * The symbol topic is the subscribed orderbook topic of (at by_depth), or
 * NULL: another depth's topic, or a symbol not asked for.
 */
static struct fsym *
by_topic_sym(struct feed *f, struct jv topic)
{
	const size_t pn = sizeof("orderbook.") - 1;
	const char *t;
	size_t n, i = pn, d = 0;
	char buf[96];

	/* "orderbook." (by_msg saw it), the depth as subscribed, ".", the
	   symbol: parsed, not formatted, on every book message */
	if (jt_str(topic, buf, sizeof(buf), &t, &n) != 0 || n <= pn ||
	    t[pn] == '0')
		return NULL;
	while (i < n && t[i] >= '0' && t[i] <= '9' && d <= 1000)
		d = d * 10 + (size_t)(t[i++] - '0');
	if (i == pn || i >= n || t[i] != '.' || d != by_depth(f))
		return NULL;
	return feed_sym(f, t + i + 1, n - i - 1);
}

/*
 * ts_sym: the symbol of the message's topic, which its "s" must name; mk:
 * its "data", "cts" and "ts";
 * type its "type".
 */
static void
by_book(struct feed *f, struct fsym *ts_sym, const struct jv *mk,
    struct jv type, const char *data, size_t len, int64_t recv)
{
	static const char *const dkeys[] = { "s", "u", "b", "a" };
	static struct jt_names dns;
	struct jv k[4], l, p, q;
	struct jit it;
	struct fsym *s = ts_sym;
	uint64_t u;
	int64_t ts;
	int snap;
	char why[96];

	jt_get_names(mk[0], jt_names_once(&dns, dkeys, 4), k);
	if (jt_type(k[0]) != JT_STR || jv_id(k[1], &u) != 0) {
		feed_malformed(f, "orderbook without s or u", data, len);
		return;
	}
	/* the symbol found by the topic (by_topic_sym): compared, not
	   looked up again */
	if (!jt_eq(k[0], s->native)) {
		feed_malformed(f, "orderbook s not its topic's", data, len);
		return;
	}
	/* "cts" (the matching engine's), else "ts" */
	if ((ts = venue_ms_ns(mk[1], -1)) < 0)
		ts = venue_ms_ns(mk[2], recv);
	snap = jt_eq(type, "snapshot") || u == 1;
	if (!snap && !jt_eq(type, "delta")) {
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
	venue_delta_begin(f, s, ts, recv, u);
	for (int ask = 0; ask <= 1; ask++) {
		if (jt_type(k[2 + ask]) != JT_ARR)
			goto bad;
		jt_begin(k[2 + ask], &it);
		while (jt_next_pair(&it, &p, &q, &l)) {
			if (venue_jvlevel(s, ask, p, q, 0, !snap) != 0)
				goto bad;
		}
	}
	s->last = u;
	s->last_ts = ts;
	s->updates++;
	if (snap) {
		s->synced = 1;
		feed_emit_book(f, s, ts, recv, 0);
	} else {
		venue_delta_end(f, s);
	}
	return;
bad:
	feed_malformed(f, "bad orderbook levels", data, len);
	feed_resync(f, s, "malformed orderbook message");
}

static void
by_trades(struct feed *f, struct jv arr, const char *data, size_t len,
    int64_t recv)
{
	static const char *const keys[] = { "s", "S", "i", "p", "v", "T",
	    "seq" };
	struct jv t, k[7];
	struct jit it;

	if (jt_type(arr) != JT_ARR) {
		feed_malformed(f, "publicTrade without data", data, len);
		return;
	}
	jt_begin(arr, &it);
	while (jt_next(&it, NULL, &t)) {
		const char *tid, *p, *q;
		size_t tidn, pn, qn;
		char tb[64], pb[64], qb[64];
		struct fsym *s;
		int64_t ts;
		uint64_t seq = 0;

		jt_get(t, keys, k, 7);
		if (jt_type(k[1]) != JT_STR ||
		    jt_str(k[2], tb, sizeof(tb), &tid, &tidn) != 0 ||
		    jt_str(k[3], pb, sizeof(pb), &p, &pn) != 0 ||
		    jt_str(k[4], qb, sizeof(qb), &q, &qn) != 0 ||
		    (ts = venue_ms_ns(k[5], -1)) < 0 ||
		    (s = feed_jsym(f, k[0])) == NULL) {
			feed_malformed(f, "bad trade", data, len);
			continue;
		}
		(void)jv_id(k[6], &seq);	/* else 0 */
		feed_emit_trade(f, s, ts, recv, p, pn, q, qn,
		    jt_eq(k[1], "Buy") ? SIDE_BUY : jt_eq(k[1], "Sell") ?
		    SIDE_SELL : SIDE_UNKNOWN, tid, tidn, seq);
	}
}

/* 1 if string v starts with prefix. */
static int
by_prefix(struct jv v, const char *prefix)
{
	size_t n = strlen(prefix), tn;
	const char *t;
	char buf[128];

	return jt_str(v, buf, sizeof(buf), &t, &tn) == 0 && tn >= n &&
	    memcmp(t, prefix, n) == 0;
}

static void
by_msg(struct feed *f, const char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "topic", "type", "op", "success",
	    "data", "cts", "ts" };
	static struct jt_names ns;
	struct jv k[7];

	if (venue_pick(f, data, len, jt_names_once(&ns, keys, 7),
	    k) != 0)
		return;
	if (jt_type(k[0]) != JT_STR) {
		/* op replies: subscribe acks, pongs */
		if (jt_type(k[2]) != JT_STR || jt_type(k[3]) == JT_FALSE)
			feed_malformed(f, jt_type(k[2]) == JT_STR ?
			    "venue error" : "unexpected message", data, len);
	} else if (by_prefix(k[0], "orderbook.")) {
		struct fsym *s = by_topic_sym(f, k[0]);

		if (s == NULL) {
			/* another depth's stream, or a symbol not asked for:
			   not this book's, and no data for the watchdog */
			feed_unsubscribed(f, k[0], data, len);
			return;
		}
		feed_data(f);
		by_book(f, s, k + 4, k[1], data, len, recv);
	} else if (by_prefix(k[0], "publicTrade.")) {
		feed_data(f);
		by_trades(f, k[4], data, len, recv);
	} else {
		feed_unknown(f, k[0], data, len);
	}
}

const struct venue_ops venue_bybit = {
	.name = "bybit",
	.id = VENUE_BYBIT,
	.default_url = "wss://stream.bybit.com/v5/public/spot",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USDT",
	.default_depth = 50,
	.native_sep = "",
	.on_open = by_open,
	.on_msg = by_msg,
	.on_tick = by_tick,
	.resync = by_resync,
	.on_rest = NULL,
};
