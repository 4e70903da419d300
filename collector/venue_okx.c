/*
 * venue_okx.c: OKX v5 public channels (wss://ws.okx.com:8443/ws/v5/public).
 *
 * Channels books (400 levels: a snapshot, then 100 ms increments) and
 * trades, up to 20 instruments per subscribe request; the text "ping"
 * after 20 s without a message (the venue cuts at 30 s).  Symbols are
 * the venue's instIds (BTC-USDT).
 * Integrity: the prevSeqId/seqId chain.  An update is accepted iff its
 * prevSeqId equals the book's seqId; this covers the empty keep-alive
 * (prevSeqId == seqId, no levels) and the reset after maintenance
 * (seqId < prevSeqId, still chained by prevSeqId).  Anything else is a
 * gap: resync by unsubscribing and subscribing the instrument's books
 * channel for a new snapshot.  The checksum field is not used: the venue
 * now always sends 0.
 * XXX OKX announced the removal of the WS snapshot in favour of REST
 * /api/v5/market/books; that path is not implemented: a books channel
 * that sends no snapshot never becomes publishable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venue.h"

static int
okx_native(const char *sym, char *out, size_t len)
{
	return snprintf(out, len, "%s", sym) >= (int)len ? -1 : 0;
}

static void
okx_url(struct feed *f, const char *base, char *out, size_t len)
{
	(void)f;
	snprintf(out, len, "%s", base);
}

static void
okx_sub(struct feed *f, const char *op, struct fsym *only, int trades)
{
	json_t *m = NULL, *args = NULL, *a;
	char *text;
	size_t n = 0;

	for (size_t i = 0; i <= f->nsyms; i++) {
		if (m != NULL && (i == f->nsyms || n >= 20)) {
			text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (text != NULL)
				feed_send(f, text);
			jfree(text);
			json_decref(m);
			m = NULL;
			n = 0;
		}
		if (i == f->nsyms)
			break;
		if (only != NULL && only != &f->syms[i])
			continue;
		if (m == NULL) {
			m = json_object();
			args = json_array();
			json_object_set_new(m, "id", json_string(op[0] == 's' ?
			    "sub" : "unsub"));
			json_object_set_new(m, "op", json_string(op));
			json_object_set_new(m, "args", args);
		}
		a = json_object();
		json_object_set_new(a, "channel", json_string("books"));
		json_object_set_new(a, "instId", json_string(f->syms[i].native));
		json_array_append_new(args, a);
		if (trades) {
			a = json_object();
			json_object_set_new(a, "channel", json_string("trades"));
			json_object_set_new(a, "instId",
			    json_string(f->syms[i].native));
			json_array_append_new(args, a);
		}
		n++;
	}
}

static void
okx_open(struct feed *f)
{
	okx_sub(f, "subscribe", NULL, 1);
}

static void
okx_resync(struct feed *f, struct fsym *s)
{
	okx_sub(f, "unsubscribe", s, 0);
	okx_sub(f, "subscribe", s, 0);
}

static void
okx_tick(struct feed *f, int64_t mono)
{
	if (mono - f->last_rx >= 20000000000LL &&
	    mono - f->last_send >= 20000000000LL)
		feed_send(f, "ping");
}

static void
okx_book(struct feed *f, struct fsym *s, struct jv d, int snap, int64_t recv,
    const char *data, size_t len)
{
	static const char *const keys[] = { "bids", "asks", "prevSeqId",
	    "seqId", "ts" };
	struct jv k[5], l, p, q;
	struct jit it;
	int64_t prev, seq, ts = 0;
	char why[128];

	jt_get(d, keys, k, 5);
	if (jt_i64(k[2], &prev) != 0 || jt_i64(k[3], &seq) != 0 || seq < 0 ||
	    jt_type(k[0]) != JT_ARR || jt_type(k[1]) != JT_ARR) {
		feed_malformed(f, "books without seqId, prevSeqId or levels",
		    data, len);
		if (s->synced)
			feed_resync(f, s, "malformed books message");
		return;
	}
	(void)jt_i64(k[4], &ts);
	ts *= 1000000;
	if (!snap) {
		if (!s->synced) {
			f->ignored++;
			return;
		}
		if (prev < 0 || (uint64_t)prev != s->last) {
			snprintf(why, sizeof(why), "sequence break: book at "
			    "seqId %llu, update has prevSeqId %lld",
			    (unsigned long long)s->last, (long long)prev);
			feed_resync(f, s, why);
			return;
		}
		if (jt_empty(k[0]) && jt_empty(k[1])) {
			s->last = (uint64_t)seq;	/* keep-alive */
			return;
		}
	} else {
		book_clear(&s->book);
	}
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, (uint64_t)seq);
	for (int ask = 0; ask <= 1; ask++) {
		jt_begin(k[ask], &it);
		while (jt_next(&it, NULL, &l)) {
			(void)jt_pair(l, &p, &q);
			if (venue_jvlevel(s, ask, p, q, 0, !snap) != 0) {
				feed_malformed(f, "bad books levels", data, len);
				feed_resync(f, s, "malformed books message");
				return;
			}
		}
	}
	s->last = (uint64_t)seq;
	s->last_ts = ts;
	s->updates++;
	if (snap) {
		s->synced = 1;
		feed_emit_book(f, s, ts, recv, 0);
	} else {
		collector_emit(f->c, venue_msg.recs, msg_end(&venue_msg));
	}
}

static void
okx_trade(struct feed *f, struct fsym *s, struct jv t, int64_t recv,
    const char *data, size_t len)
{
	static const char *const keys[] = { "side", "tradeId", "px", "sz",
	    "ts" };
	struct jv k[5];
	const char *tid, *p, *q;
	size_t tidn, pn, qn;
	char tb[64], pb[64], qb[64];
	int64_t ts;
	uint64_t vseq = 0;

	jt_get(t, keys, k, 5);
	if (jt_type(k[0]) != JT_STR ||
	    jt_str(k[1], tb, sizeof(tb), &tid, &tidn) != 0 ||
	    jt_str(k[2], pb, sizeof(pb), &p, &pn) != 0 ||
	    jt_str(k[3], qb, sizeof(qb), &q, &qn) != 0 ||
	    jt_i64(k[4], &ts) != 0) {
		feed_malformed(f, "bad trade", data, len);
		return;
	}
	(void)jt_u64(k[1], &vseq);
	feed_emit_trade(f, s, ts * 1000000, recv, p, pn, q, qn,
	    jt_eq(k[0], "buy") ? SIDE_BUY : jt_eq(k[0], "sell") ? SIDE_SELL :
	    SIDE_UNKNOWN, tid, tidn, vseq);
}

static void
okx_msg(struct feed *f, char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "event", "code", "arg", "data",
	    "action" };
	static const char *const akeys[] = { "channel", "instId" };
	struct jv m, k[5], a[2], d;
	struct jit it;
	struct fsym *s;

	if (len == 4 && memcmp(data, "pong", 4) == 0)
		return;
	if (jt_parse(data, len, &m) != 0) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	jt_get(m, keys, k, 5);
	if (jt_type(k[0]) == JT_STR) {
		if (jt_eq(k[0], "notice") && jt_eq(k[1], "64008"))
			feed_reconnect(f, "venue: service upgrade notice");
		else if (jt_eq(k[0], "error"))
			feed_malformed(f, "venue error", data, len);
		return;
	}
	jt_get(k[2], akeys, a, 2);
	if (jt_type(a[0]) != JT_STR || jt_type(k[3]) != JT_ARR ||
	    (s = feed_jsym(f, a[1])) == NULL) {
		feed_malformed(f, "unexpected message", data, len);
		return;
	}
	if (jt_eq(a[0], "books")) {
		int snap = jt_eq(k[4], "snapshot");

		if (!snap && !jt_eq(k[4], "update")) {
			feed_malformed(f, "books without action", data, len);
			return;
		}
		feed_data(f);
		jt_begin(k[3], &it);
		while (jt_next(&it, NULL, &d))
			okx_book(f, s, d, snap, recv, data, len);
	} else if (jt_eq(a[0], "trades")) {
		feed_data(f);
		jt_begin(k[3], &it);
		while (jt_next(&it, NULL, &d))
			okx_trade(f, s, d, recv, data, len);
	} else {
		f->ignored++;
	}
}

const struct venue_ops venue_okx = {
	.name = "okx",
	.id = VENUE_OKX,
	.default_url = "wss://ws.okx.com:8443/ws/v5/public",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USDT",
	.default_depth = 400,
	.native = okx_native,
	.url = okx_url,
	.on_open = okx_open,
	.on_msg = okx_msg,
	.on_tick = okx_tick,
	.resync = okx_resync,
	.on_rest = NULL,
};
