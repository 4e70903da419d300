/*
 * venue_binance.c: Binance Spot market streams
 * (wss://stream.binance.com:9443) and REST depth snapshots
 * (https://api.binance.com/api/v3/depth).
 *
 * Streams <symbol>@depth@100ms and <symbol>@trade on one combined-stream
 * connection (/stream?streams=...): named in the URL, so no subscribe
 * messages count against the 5 messages a second limit.  Pings are
 * answered by the WebSocket layer.  Symbols BTC-USDT <-> BTCUSDT (the
 * quote is mapped literally).
 * Book sync, the venue's documented procedure: buffer depth events; on
 * the first one request a REST snapshot (bn_limit levels; one request
 * at a time, spaced, Retry-After obeyed); if the snapshot's lastUpdateId
 * is below the first buffered U, fetch again; else drop buffered events
 * with u <= lastUpdateId, apply the rest (each U must not exceed the
 * book's update id + 1), publish the book.  Live events: u <= update id
 * is ignored, U > update id + 1 is a gap: resync, which starts the
 * procedure again.
 * The events carry changes at any depth, but the snapshot stops at its
 * limit: a side that fills it is known only that far (venue_horizon), and
 * the book is resynced when the window no longer lies within that.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "venue.h"

static void
bn_url(struct feed *f, const char *base, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%s/stream?streams=", base);

	for (size_t i = 0; i < f->nsyms && n < len; i++) {
		char lower[VENUE_NATIVE_MAX];
		size_t k;

		for (k = 0; f->syms[i].native[k] != '\0'; k++)
			lower[k] = (char)tolower(
			    (unsigned char)f->syms[i].native[k]);
		lower[k] = '\0';
		n += (size_t)snprintf(out + n, len - n, "%s%s@depth@100ms/"
		    "%s@trade", i ? "/" : "", lower, lower);
	}
}

static void
bn_open(struct feed *f)
{
	(void)f;	/* the streams are in the URL */
}

/*
 * The REST snapshot's limit for the window f->depth: the venue weighs a
 * request by its limit's tier (up to 100: 5, 500: 25, 1000: 50, 5000:
 * 250), so the top of a tier costs no more than any limit in it.  The
 * levels past the window are the margin the book may lose from its top
 * before it is resynced (venue_horizon); busy books cross tens of levels
 * in ordinary moves, so a window up to 500 asks 1000 (a margin of at
 * least 500 levels, weight 50) and a deeper one asks 5000, the most the
 * venue gives (weight 250; a margin of 5000 - depth levels).
 */
static size_t
bn_limit(const struct feed *f)
{
	return f->depth != 0 && f->depth <= 500 ? 1000 : 5000;
}

static void
bn_request(struct feed *f, struct fsym *s, int64_t delay)
{
	char url[FEED_URL_MAX + 128];

	snprintf(url, sizeof(url), "%s/api/v3/depth?symbol=%s&limit=%zu",
	    f->rest_url, s->native, bn_limit(f));
	feed_rest_request(f, s, url, delay);
}

/*
 * The book of s was discarded (feed_resync): fetch a snapshot now rather
 * than on the next event, which may be long in coming on a quiet book.
 * Events until it comes are buffered; an older snapshot is fetched again.
 */
static void
bn_resync(struct feed *f, struct fsym *s)
{
	bn_request(f, s, 0);
}

/*
 * Applies the levels of one depth event to s; emits them as a delta if
 * emit.  Returns 0 or -1 (malformed; the book is then unknown).
 */
static int
bn_levels(struct feed *f, struct fsym *s, struct jv ev, int emit,
    int64_t recv, uint64_t first, uint64_t last)
{
	static const char *const keys[] = { "b", "a", "E" };
	static struct jt_names ns;
	struct jv k[3], l, p, q;
	struct jit it;
	int64_t ts;

	jt_get_names(ev, jt_names_once(&ns, keys, 3), k);
	ts = venue_ms_ns(k[2], recv);
	if (emit) {
		venue_delta_begin(f, s, ts, recv, last);
		venue_msg.recs[0].aux = first;
	}
	for (int ask = 0; ask <= 1; ask++) {
		if (jt_begin(k[ask], &it) != 0 || jt_type(k[ask]) != JT_ARR)
			return -1;
		while (jt_next_pair(&it, &p, &q, &l)) {
			if (venue_jvlevel(s, ask, p, q, 0, emit) != 0)
				return -1;
		}
	}
	s->last = last;
	s->last_ts = ts;
	s->updates++;
	if (emit)
		venue_delta_end(f, s);
	return 0;
}

/* The event of a message: its "data" (combined stream) or itself. */
static struct jv
bn_event(struct jv m)
{
	struct jv d = jt_member(m, "data");

	return d.p != NULL ? d : m;
}

static void
bn_depth(struct feed *f, struct jv ev, const char *text, size_t len,
    int64_t recv)
{
	static const char *const keys[] = { "s", "U", "u" };
	static struct jt_names ns;
	struct jv k[3];
	struct fsym *s;
	uint64_t first, last;
	char why[128];

	jt_get_names(ev, jt_names_once(&ns, keys, 3), k);
	if ((s = feed_jsym(f, k[0])) == NULL || jv_id(k[1], &first) != 0 ||
	    jv_id(k[2], &last) != 0 || first > last) {
		feed_malformed(f, "depthUpdate without symbol or U/u", text,
		    len);
		return;
	}
	if (s->synced) {
		/* stale: the venue says drop any event with u <= the book's id */
		if (last <= s->last) {
			f->ignored++;
			return;
		}
		if (first <= s->last + 1) {
			if (bn_levels(f, s, ev, 1, recv, first, last) != 0) {
				feed_malformed(f, "bad depth levels", text, len);
				feed_resync(f, s, "malformed depth update");
			}
			return;
		}
		snprintf(why, sizeof(why), "update id gap: book at %llu, "
		    "next update starts at %llu",
		    (unsigned long long)s->last, (unsigned long long)first);
		feed_resync(f, s, why);
		/* this event is the first of the new buffer */
	}
	if (feed_pend_add(f, s, text, len, first, last) != 0)
		return;
	if (s->rest_state == 0)
		bn_request(f, s, 0);
}

static void
bn_rest(struct feed *f, struct fsym *s, int status, const char *body,
    size_t len, int64_t recv)
{
	static const char *const keys[] = { "bids", "asks", "lastUpdateId" };
	struct jv sk[3];
	uint64_t id;
	size_t k, nlev[2];
	char why[128];

	if (s->synced)
		return;
	if (status != 200) {
		if (status != 0)
			fprintf(stderr, "%s: binance: %s: REST snapshot: HTTP "
			    "%d\n", f->c->prog, s->sym, status);
		bn_request(f, s, 2000000000LL);
		return;
	}
	/* the scanner, not jansson: a 5000-level body is read in place */
	if (jt_pick(body, len, keys, sk, 3, NULL) < 0 ||
	    jv_id(sk[2], &id) != 0 || jt_type(sk[0]) != JT_ARR ||
	    jt_type(sk[1]) != JT_ARR) {
		feed_malformed(f, "bad REST snapshot", body, len);
		bn_request(f, s, 2000000000LL);
		return;
	}
	if (s->npend > 0 && id < s->pend[0].first) {
		/* older than what we buffered: the venue says fetch again */
		f->refetches++;
		s->refetches++;
		if (f->c->verbose)
			fprintf(stderr, "%s: binance: %s: snapshot %llu older "
			    "than first update %llu: refetching\n", f->c->prog,
			    s->sym, (unsigned long long)id,
			    (unsigned long long)s->pend[0].first);
		bn_request(f, s, 0);
		return;
	}
	if (venue_rest_jlevels(s, sk, nlev) != 0) {
		feed_malformed(f, "bad REST snapshot level", body, len);
		bn_request(f, s, 2000000000LL);
		return;
	}
	venue_horizon(s, bn_limit(f), nlev);
	s->last = id;
	s->last_ts = recv;
	for (k = 0; k < s->npend; k++) {
		struct pend *p = &s->pend[k];
		struct jv m;

		if (p->last <= s->last)
			continue;
		if (p->first > s->last + 1) {
			snprintf(why, sizeof(why), "update id gap in buffered "
			    "updates: book at %llu, next starts at %llu",
			    (unsigned long long)s->last,
			    (unsigned long long)p->first);
			feed_resync(f, s, why);
			return;
		}
		if (jt_parse(p->text, p->len, &m) != 0 ||
		    bn_levels(f, s, bn_event(m), 0, recv, p->first,
		    p->last) != 0) {
			feed_resync(f, s, "malformed buffered update");
			return;
		}
	}
	feed_clear_pend(s);
	s->synced = 1;
	feed_emit_book(f, s, s->last_ts, recv, 0);
}

static void
bn_trade(struct feed *f, struct jv ev, const char *text, size_t len,
    int64_t recv)
{
	static const char *const keys[] = { "s", "p", "q", "m", "t", "T" };
	struct jv k[6];
	const char *p, *q;
	size_t pn, qn;
	char pb[64], qb[64];
	uint64_t tid;
	int64_t ts;
	struct fsym *s;
	char tids[24];
	enum jt_type mt;

	jt_get(ev, keys, k, 6);
	mt = jt_type(k[3]);
	if ((s = feed_jsym(f, k[0])) == NULL ||
	    jt_str(k[1], pb, sizeof(pb), &p, &pn) != 0 ||
	    jt_str(k[2], qb, sizeof(qb), &q, &qn) != 0 ||
	    (mt != JT_TRUE && mt != JT_FALSE) || jv_id(k[4], &tid) != 0 ||
	    (ts = venue_ms_ns(k[5], -1)) < 0) {
		feed_malformed(f, "bad trade", text, len);
		return;
	}
	snprintf(tids, sizeof(tids), "%llu", (unsigned long long)tid);
	/* m: the buyer is the maker, so the taker sold */
	feed_emit_trade(f, s, ts, recv, p, pn, q, qn,
	    mt == JT_TRUE ? SIDE_SELL : SIDE_BUY, tids, strlen(tids), tid);
}

static void
bn_msg(struct feed *f, const char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "result", "error" };
	struct jv m, ev, e, k[2];

	if (jt_parse(data, len, &m) != 0) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	ev = bn_event(m);	/* a raw (not combined) stream: m itself */
	e = jt_member(ev, "e");
	if (jt_type(e) != JT_STR) {
		jt_get(m, keys, k, 2);
		if (k[0].p == NULL || k[1].p != NULL)
			feed_malformed(f, "unexpected message", data, len);
	} else if (jt_eq(e, "depthUpdate")) {
		feed_data(f);
		bn_depth(f, ev, data, len, recv);
	} else if (jt_eq(e, "trade")) {
		feed_data(f);
		bn_trade(f, ev, data, len, recv);
	} else if (jt_eq(e, "serverShutdown")) {
		feed_reconnect(f, "venue: serverShutdown");
	} else {
		feed_unknown(f, e, data, len);
	}
}

const struct venue_ops venue_binance = {
	.name = "binance",
	.id = VENUE_BINANCE,
	.default_url = "wss://stream.binance.com:9443",
	.default_rest_url = "https://api.binance.com",
	.default_symbols = "BTC-USDT",
	.default_depth = 1000,
	.native_sep = "",
	.url = bn_url,
	.on_open = bn_open,
	.on_msg = bn_msg,
	.on_tick = NULL,
	.resync = bn_resync,
	.on_rest = bn_rest,
};
