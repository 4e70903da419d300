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
 * (seqId < prevSeqId, still chained by prevSeqId).  The checksum field is
 * not used: the venue now always sends 0.
 * Book sync: a WS snapshot (action "snapshot", with its seqId), whenever
 * one arrives, replaces the book.  An update that arrives while the book
 * is not in sync is buffered and a REST snapshot is fetched:
 * GET /api/v5/market/books?instId=..&sz=400 (the channel's depth, whatever
 * --depth; one request at a time, spaced, Retry-After obeyed).  What is done with it
 * depends on whether it carries a seqId:
 * - The body OKX documents for that endpoint has asks, bids and ts but no
 *   seqId.  Such a book cannot be placed in the update chain: ts is not
 *   an update's position (the endpoint serves a cache refreshed every
 *   50 ms, several updates may share a millisecond) and the checksum that
 *   could have confirmed a guess is now always 0.  So its levels are not
 *   used: the books channel of the instrument is resubscribed (unsubscribe,
 *   subscribe), which makes the venue send a WS snapshot with its seqId.
 *   Updates are ignored until that snapshot, for OKX_SNAP_WAIT, doubled
 *   after each resubscription that brought none up to 64 times that;
 *   after the wait the next update starts over.
 * - A body with a seqId (the procedure of OKX's changelog for when the WS
 *   snapshot goes away): a snapshot whose seqId is below the first
 *   buffered update's prevSeqId is fetched again; buffered updates with
 *   seqId <= the snapshot's are dropped unless their prevSeqId equals it
 *   (a reset right after the snapshot); the first one kept must overlap
 *   the snapshot (prevSeqId <= snapshot seqId < seqId), the rest follow
 *   the chain; then the book is published.  If no buffered update was
 *   kept, the first live one is held to the same overlap rule
 *   (s->synced == 2 until then) and older ones are ignored.
 * Any break of the chain is a gap: resync, i.e. status resync, the book
 * dropped, and the sync above again starting with the update that broke
 * the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "venue.h"

#define OKX_REST_MAX	400	/* sz limit of /api/v5/market/books */
#define OKX_SNAP_WAIT	5000000000LL	/* ns for a WS snapshot to come */

/*
 * Sends op ("subscribe", "unsubscribe") for the books (and, if trades,
 * the trades) channel of s, or of every symbol if s is NULL, 20
 * instruments a request.
 */
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
			json_object_set_new(m, "id", json_string(op[0] == 'u' ?
			    "unsub" : "sub"));
			json_object_set_new(m, "op", json_string(op));
			json_object_set_new(m, "args", args);
		}
		for (int ch = 0; ch <= trades; ch++) {
			a = json_object();
			json_object_set_new(a, "channel",
			    json_string(ch ? "trades" : "books"));
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
	for (size_t i = 0; i < f->nsyms; i++) {
		f->syms[i].rest_not_before = 0;
		f->syms[i].resubs = 0;
	}
	okx_sub(f, "subscribe", NULL, 1);
}

/*
 * The REST snapshot of s had no seqId: resubscribes the books channel of
 * s for a WS snapshot and ignores updates until it comes or the wait
 * (doubled each time none came) is over.
 */
static void
okx_resubscribe(struct feed *f, struct fsym *s)
{
	int64_t wait = OKX_SNAP_WAIT << (s->resubs < 6 ? s->resubs : 6);

	if (s->resubs > 0 || f->c->verbose)
		fprintf(stderr, "%s: okx: %s: the REST snapshot has no seqId%s: "
		    "resubscribing books for a WebSocket snapshot (waiting "
		    "%lld s)\n", f->c->prog, s->sym, s->resubs > 0 ?
		    " and no WebSocket snapshot came" : "",
		    (long long)(wait / 1000000000));
	s->resubs++;
	s->rest_not_before = mono_ns() + wait;
	feed_clear_pend(s);
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
okx_request(struct feed *f, struct fsym *s, int64_t delay)
{
	char url[FEED_URL_MAX + 128];
	/*
	 * always the 400 levels the books channel keeps, not --depth: its
	 * updates keep those 400 exact, while a book of --depth levels
	 * would lose depth as its top levels go, the ones below unknown
	 */
	snprintf(url, sizeof(url), "%s/api/v5/market/books?instId=%s&sz=%d",
	    f->rest_url, s->native, OKX_REST_MAX);
	feed_rest_request(f, s, url, delay);
}

/*
 * Applies the levels of one books event (bids, asks) to s, emitting them
 * as a delta with vseq seq if emit.  Returns 0 or -1 (malformed; the book
 * is then unknown).
 */
static int
okx_levels(struct feed *f, struct fsym *s, const struct jv *side, int emit,
    int64_t ts, int64_t recv, uint64_t seq)
{
	struct jv l, p, q;
	struct jit it;

	if (emit)
		venue_delta_begin(f, s, ts, recv, seq);
	for (int ask = 0; ask <= 1; ask++) {
		if (jt_type(side[ask]) != JT_ARR || jt_begin(side[ask], &it) != 0)
			return -1;
		while (jt_next_pair(&it, &p, &q, &l)) {
			if (p.p == NULL ||
			    venue_jvlevel(s, ask, p, q, 0, emit) != 0)
				return -1;
		}
	}
	s->last = seq;
	s->last_ts = ts;
	s->updates++;
	if (emit)
		venue_delta_end(f, s);
	return 0;
}

/* Holds back the update ev (prevSeqId prev, seqId seq) of s for the REST sync. */
static void
okx_buffer(struct feed *f, struct fsym *s, struct jv ev, uint64_t prev,
    uint64_t seq)
{
	if (s->rest_not_before != 0 && mono_ns() < s->rest_not_before) {
		f->ignored++;	/* a WS snapshot is due (okx_resubscribe) */
		return;
	}
	if (feed_pend_add(f, s, ev.p, ev.n, prev, seq) != 0)
		return;
	if (s->rest_state == 0)
		okx_request(f, s, 0);
}

/* The members of a books data entry, as okx_book takes them. */
static const char *const okx_book_keys[] = { "bids", "asks", "prevSeqId",
    "seqId", "ts" };

/* One books data entry d, its members k as okx_book_keys names them. */
static void
okx_book(struct feed *f, struct fsym *s, struct jv d, const struct jv *k,
    int snap, int64_t recv, const char *data, size_t len)
{
	int64_t prev, seq, ts;
	uint64_t last;
	char why[128];

	if (jt_i64(k[2], &prev) != 0 || jt_i64(k[3], &seq) != 0 || seq < 0 ||
	    jt_type(k[0]) != JT_ARR || jt_type(k[1]) != JT_ARR) {
		feed_malformed(f, "books without seqId, prevSeqId or levels",
		    data, len);
		if (s->synced)
			feed_resync(f, s, "malformed books message");
		return;
	}
	ts = venue_ms_ns(k[4], recv);
	if (snap) {
		/* the venue's snapshot, when it still sends one */
		feed_clear_pend(s);
		book_clear(&s->book);
		if (okx_levels(f, s, k, 0, ts, recv, (uint64_t)seq) != 0) {
			feed_malformed(f, "bad books levels", data, len);
			feed_resync(f, s, "malformed books snapshot");
			return;
		}
		s->synced = 1;
		s->resubs = 0;
		s->rest_not_before = 0;
		feed_emit_book(f, s, ts, recv, 0);
		return;
	}
	if (prev < 0) {
		feed_malformed(f, "books update with prevSeqId -1", data, len);
		if (s->synced)
			feed_resync(f, s, "malformed books message");
		return;
	}
	last = s->last;
	if (s->synced == 2 && (uint64_t)prev != last &&
	    (uint64_t)prev <= (uint64_t)seq && (uint64_t)seq <= last) {
		f->ignored++;	/* inside the REST snapshot */
		return;
	}
	if (s->synced && ((uint64_t)prev == last || (s->synced == 2 &&
	    (uint64_t)prev < last && (uint64_t)seq > last))) {
		s->synced = 1;
		if (jt_empty(k[0]) && jt_empty(k[1])) {
			s->last = (uint64_t)seq;	/* keep-alive */
			return;
		}
		if (okx_levels(f, s, k, 1, ts, recv, (uint64_t)seq) != 0) {
			feed_malformed(f, "bad books levels", data, len);
			feed_resync(f, s, "malformed books message");
		}
		return;
	}
	if (s->synced) {
		snprintf(why, sizeof(why), "sequence break: book at seqId "
		    "%llu, update has prevSeqId %lld", (unsigned long long)last,
		    (long long)prev);
		feed_resync(f, s, why);
		/* this update is the first of the new buffer */
	}
	okx_buffer(f, s, d, (uint64_t)prev, (uint64_t)seq);
}

/*
 * The REST snapshot of s: {"code":"0","msg":"","data":[{"asks":[[px, sz,
 * "0", n], ...],"bids":[...],"ts":"ms"}]}, as documented, or with a
 * "seqId":N as well (see the top of the file for both).
 */
static void
okx_rest(struct feed *f, struct fsym *s, int status, const char *body,
    size_t len, int64_t recv)
{
	json_error_t jerr;
	json_t *root = NULL, *snap, *sides[2], *code, *seq;
	uint64_t id, tsms;
	int64_t ts;
	size_t k;
	int kept = 0;
	char why[160];

	if (s->synced || s->npend == 0)
		return;	/* a WS snapshot came first, or nothing to sync */
	if (status != 200) {
		if (status != 0)
			fprintf(stderr, "%s: okx: %s: REST snapshot: HTTP %d\n",
			    f->c->prog, s->sym, status);
		okx_request(f, s, 2000000000LL);
		return;
	}
	root = json_loadb(body, len, 0, &jerr);
	code = json_object_get(root, "code");
	snap = json_array_get(json_object_get(root, "data"), 0);
	sides[0] = json_object_get(snap, "bids");
	sides[1] = json_object_get(snap, "asks");
	seq = json_object_get(snap, "seqId");
	if (root == NULL || !json_is_string(code) ||
	    strcmp(json_string_value(code), "0") != 0 ||
	    (seq != NULL && ju64(seq, &id) != 0) ||
	    !json_is_array(sides[0]) || !json_is_array(sides[1])) {
		feed_malformed(f, "bad REST snapshot", body, len);
		okx_request(f, s, 2000000000LL);
		goto out;
	}
	if (seq == NULL) {
		okx_resubscribe(f, s);
		goto out;
	}
	ts = ju64(json_object_get(snap, "ts"), &tsms) == 0 &&
	    tsms < INT64_MAX / 1000000 ? (int64_t)tsms * 1000000 : recv;
	if (id < s->pend[0].first) {
		/* older than what we buffered: the venue says fetch again */
		f->refetches++;
		s->refetches++;
		if (f->c->verbose)
			fprintf(stderr, "%s: okx: %s: snapshot seqId %llu older "
			    "than first update's prevSeqId %llu: refetching\n",
			    f->c->prog, s->sym, (unsigned long long)id,
			    (unsigned long long)s->pend[0].first);
		okx_request(f, s, 0);
		goto out;
	}
	if (venue_rest_levels(s, sides) != 0) {
		feed_malformed(f, "bad REST snapshot level", body, len);
		okx_request(f, s, 2000000000LL);
		goto out;
	}
	s->last = id;
	s->last_ts = ts;
	for (k = 0; k < s->npend; k++) {
		struct pend *p = &s->pend[k];
		struct jv ev, side[2];

		if (!kept && p->last <= id && p->first != id)
			continue;	/* inside the snapshot */
		if (kept ? p->first != s->last : p->first > id) {
			snprintf(why, sizeof(why), "sequence break in buffered "
			    "updates: book at seqId %llu, update has prevSeqId "
			    "%llu", (unsigned long long)s->last,
			    (unsigned long long)p->first);
			feed_resync(f, s, why);
			goto out;
		}
		kept = 1;
		if (jt_parse(p->text, p->len, &ev) != 0)
			goto bad;
		side[0] = jt_member(ev, "bids");
		side[1] = jt_member(ev, "asks");
		if (okx_levels(f, s, side, 0, venue_ms_ns(jt_member(ev, "ts"),
		    recv), recv, p->last) != 0)
			goto bad;
	}
	feed_clear_pend(s);
	s->synced = kept ? 1 : 2;
	s->resubs = 0;
	feed_emit_book(f, s, s->last_ts, recv, 0);
	goto out;
bad:
	feed_resync(f, s, "malformed buffered update");
out:
	json_decref(root);
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
	    (ts = venue_ms_ns(k[4], -1)) < 0) {
		feed_malformed(f, "bad trade", data, len);
		return;
	}
	(void)jv_id(k[1], &vseq);	/* else 0 */
	feed_emit_trade(f, s, ts, recv, p, pn, q, qn,
	    jt_eq(k[0], "buy") ? SIDE_BUY : jt_eq(k[0], "sell") ? SIDE_SELL :
	    SIDE_UNKNOWN, tid, tidn, vseq);
}

static void
okx_msg(struct feed *f, const char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "event", "code", "arg", "data",
	    "action" };
	static const char *const akeys[] = { "channel", "instId" };
	static struct jt_names ns, bns;
	struct jv k[5], a[2], d, bk[5];
	struct jit it;
	struct fsym *s;

	if (len == 4 && memcmp(data, "pong", 4) == 0)
		return;
	if (venue_pick(f, data, len, jt_names_once(&ns, keys, 5), k) != 0)
		return;
	if (jt_type(k[0]) == JT_STR) {
		if (jt_eq(k[0], "notice") && jt_eq(k[1], "64008"))
			feed_reconnect(f, "venue: service upgrade notice");
		else if (jt_eq(k[0], "error"))
			feed_malformed(f, "venue error", data, len);
		else if (!jt_eq(k[0], "subscribe") &&
		    !jt_eq(k[0], "unsubscribe"))
			feed_unknown(f, k[0], data, len);
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
		/* each entry's members in one pass over it (jt_next_get) */
		feed_data(f);
		jt_names_once(&bns, okx_book_keys, 5);
		jt_begin(k[3], &it);
		while (jt_next_get(&it, &bns, bk, &d))
			okx_book(f, s, d, bk, snap, recv, data, len);
	} else if (jt_eq(a[0], "trades")) {
		feed_data(f);
		jt_begin(k[3], &it);
		while (jt_next(&it, NULL, &d))
			okx_trade(f, s, d, recv, data, len);
	} else {
		feed_unknown(f, a[0], data, len);
	}
}

const struct venue_ops venue_okx = {
	.name = "okx",
	.id = VENUE_OKX,
	.default_url = "wss://ws.okx.com:8443/ws/v5/public",
	.default_rest_url = "https://www.okx.com",
	.default_symbols = "BTC-USDT",
	.default_depth = 400,
	.native_sep = "-",
	.on_open = okx_open,
	.on_msg = okx_msg,
	.on_tick = okx_tick,
	.resync = NULL,
	.on_rest = okx_rest,
};
