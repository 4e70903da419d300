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
okx_book(struct feed *f, struct fsym *s, json_t *d, int snap, int64_t recv,
    const char *data, size_t len)
{
	int64_t prev, seq, ts = 0;
	json_t *lv[2] = { json_object_get(d, "bids"), json_object_get(d, "asks") };
	char why[128];

	if (ji64(json_object_get(d, "prevSeqId"), &prev) != 0 ||
	    ji64(json_object_get(d, "seqId"), &seq) != 0 || seq < 0 ||
	    !json_is_array(lv[0]) || !json_is_array(lv[1])) {
		feed_malformed(f, "books without seqId, prevSeqId or levels",
		    data, len);
		if (s->synced)
			feed_resync(f, s, "malformed books message");
		return;
	}
	(void)ji64(json_object_get(d, "ts"), &ts);
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
		if (json_array_size(lv[0]) == 0 &&
		    json_array_size(lv[1]) == 0) {
			s->last = (uint64_t)seq;	/* keep-alive */
			return;
		}
	} else {
		book_clear(&s->book);
	}
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, (uint64_t)seq);
	for (int ask = 0; ask <= 1; ask++) {
		json_t *l;
		size_t i;

		json_array_foreach(lv[ask], i, l)
			if (venue_jlevel(s, ask, json_array_get(l, 0),
			    json_array_get(l, 1), !snap) != 0) {
				feed_malformed(f, "bad books levels", data, len);
				feed_resync(f, s, "malformed books message");
				return;
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
okx_trade(struct feed *f, struct fsym *s, json_t *t, int64_t recv,
    const char *data, size_t len)
{
	const char *side = jstr(t, "side"), *tid = jstr(t, "tradeId");
	json_t *p = json_object_get(t, "px"), *q = json_object_get(t, "sz");
	int64_t ts;
	uint64_t vseq = 0;

	if (side == NULL || tid == NULL || !json_is_string(p) ||
	    !json_is_string(q) || ji64(json_object_get(t, "ts"), &ts) != 0) {
		feed_malformed(f, "bad trade", data, len);
		return;
	}
	(void)ju64(json_object_get(t, "tradeId"), &vseq);
	feed_emit_trade(f, s, ts * 1000000, recv, json_string_value(p),
	    json_string_length(p), json_string_value(q), json_string_length(q),
	    strcmp(side, "buy") == 0 ? SIDE_BUY : strcmp(side, "sell") == 0 ?
	    SIDE_SELL : SIDE_UNKNOWN, tid, vseq);
}

static void
okx_msg(struct feed *f, char *data, size_t len, int64_t recv)
{
	json_error_t jerr;
	json_t *m, *arg, *arr, *d;
	const char *ch, *inst, *ev, *action;
	struct fsym *s;
	size_t i;

	if (len == 4 && memcmp(data, "pong", 4) == 0)
		return;
	m = json_loadb(data, len, 0, &jerr);
	if (m == NULL) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	ev = jstr(m, "event");
	if (ev != NULL) {
		const char *code = jstr(m, "code");

		if (strcmp(ev, "notice") == 0 && code != NULL &&
		    strcmp(code, "64008") == 0)
			feed_reconnect(f, "venue: service upgrade notice");
		else if (strcmp(ev, "error") == 0)
			feed_malformed(f, "venue error", data, len);
		goto out;
	}
	arg = json_object_get(m, "arg");
	ch = jstr(arg, "channel");
	inst = jstr(arg, "instId");
	arr = json_object_get(m, "data");
	if (ch == NULL || inst == NULL || !json_is_array(arr) ||
	    (s = feed_sym(f, inst, strlen(inst))) == NULL) {
		feed_malformed(f, "unexpected message", data, len);
		goto out;
	}
	if (strcmp(ch, "books") == 0) {
		action = jstr(m, "action");
		if (action == NULL || (strcmp(action, "snapshot") != 0 &&
		    strcmp(action, "update") != 0)) {
			feed_malformed(f, "books without action", data, len);
			goto out;
		}
		feed_data(f);
		json_array_foreach(arr, i, d)
			okx_book(f, s, d, action[0] == 's', recv, data, len);
	} else if (strcmp(ch, "trades") == 0) {
		feed_data(f);
		json_array_foreach(arr, i, d)
			okx_trade(f, s, d, recv, data, len);
	} else {
		f->ignored++;
	}
out:
	json_decref(m);
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
