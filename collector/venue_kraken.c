/*
 * venue_kraken.c: Kraken Spot WebSocket v2 (wss://ws.kraken.com/v2).
 *
 * Channels: book (snapshot, then updates; subscribed at --depth rounded
 * up to 10, 25, 100, 500 or 1000, default 10) and trade (no snapshot).
 * The server's heartbeat messages are not data.  Symbols BTC-USD <->
 * BTC/USD.
 * Prices and quantities arrive as JSON numbers whose text matters (the
 * checksum covers trailing zeros): the scanner (json.h) hands over each
 * number's exact text, which is parsed as an exact decimal.
 * Integrity: after every snapshot and every update message (all its
 * levels applied, the book truncated to the subscribed depth) the CRC32
 * of the top 10 asks and bids, in the venue's text form, must equal the
 * message's checksum; a mismatch resyncs the book: unsubscribe and
 * subscribe again for a fresh snapshot.  Levels that fall out of the
 * subscribed depth are published as removals (quantity 0), since the
 * venue sends none for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "dec.h"
#include "venue.h"

int	kraken_verify = 1;

static const size_t kr_depths[] = { 10, 25, 100, 500, 1000 };

static size_t
kr_depth(const struct feed *f)
{
	for (size_t i = 0; i < sizeof(kr_depths) / sizeof(kr_depths[0]); i++)
		if (f->depth <= kr_depths[i])
			return kr_depths[i];
	return 1000;
}

/* Sends a subscribe or unsubscribe of channel for s (NULL: all). */
static void
kr_sub(struct feed *f, const char *method, const char *channel,
    struct fsym *s)
{
	json_t *m = json_object(), *p = json_object(), *syms = json_array();
	char *text;

	for (size_t i = 0; i < f->nsyms; i++)
		if (s == NULL || s == &f->syms[i])
			json_array_append_new(syms,
			    json_string(f->syms[i].native));
	json_object_set_new(m, "method", json_string(method));
	json_object_set_new(p, "channel", json_string(channel));
	json_object_set_new(p, "symbol", syms);
	if (strcmp(channel, "book") == 0) {
		json_object_set_new(p, "depth",
		    json_integer((json_int_t)kr_depth(f)));
		if (strcmp(method, "subscribe") == 0)
			json_object_set_new(p, "snapshot", json_true());
	} else if (strcmp(method, "subscribe") == 0) {
		json_object_set_new(p, "snapshot", json_false());
	}
	json_object_set_new(m, "params", p);
	text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL)
		feed_send(f, text);
	jfree(text);
	json_decref(m);
}

static void
kr_open(struct feed *f)
{
	kr_sub(f, "subscribe", "book", NULL);
	kr_sub(f, "subscribe", "trade", NULL);
}

static void
kr_resync(struct feed *f, struct fsym *s)
{
	kr_sub(f, "unsubscribe", "book", s);
	kr_sub(f, "subscribe", "book", s);
}

/*
 * Appends a decimal's text without '.', sign and leading zeros: that is
 * the digits of the mantissa (nothing for zero), then e zeros if e > 0.
 * The digits of a mantissa come from a small memo (direct mapped, by a
 * hash of the mantissa) when they were made lately: the checksum covers
 * 40 numbers after every book message, and most of them are the same
 * from one message to the next, so this saves the divisions.  out needs
 * KR_SLACK bytes of room past the text: the memo is copied whole.
 */
static const char kr_pairs[] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

#define KR_MEMO		4096	/* entries, a power of two */
#define KR_SLACK	24

static struct kr_memo {
	uint64_t	u;		/* the mantissa; 0: empty */
	uint8_t		n;		/* digits */
	char		d[KR_SLACK - 1];
} kr_memo[KR_MEMO];

static size_t
kr_digits(char *out, uint64_t u)
{
	char t[24];
	size_t k = sizeof(t), n;

	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);

		u /= 100;
		t[--k] = kr_pairs[2 * r + 1];
		t[--k] = kr_pairs[2 * r];
	}
	if (u >= 10) {
		t[--k] = kr_pairs[2 * u + 1];
		t[--k] = kr_pairs[2 * u];
	} else {
		t[--k] = (char)('0' + u);
	}
	n = sizeof(t) - k;
	memcpy(out, t + k, n);
	return n;
}

static size_t
kr_cat(char *out, int64_t m, int e)
{
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	struct kr_memo *c;
	size_t n;

	if (u == 0)
		return 0;
	c = &kr_memo[(u * 0x9E3779B97F4A7C15ull) >> 52 & (KR_MEMO - 1)];
	if (c->u != u) {
		/* at most 20 digits: they fit d */
		c->n = (uint8_t)kr_digits(c->d, u);
		c->u = u;
	}
	memcpy(out, c->d, sizeof(c->d));
	n = c->n;
	for (; e > 0; e--)
		out[n++] = '0';
	return n;
}

uint32_t
kraken_checksum(const struct book *b)
{
	char s[20 * 2 * DEC_STRMAX + KR_SLACK];
	size_t n = 0;

	for (size_t i = 0; i < b->asks.n && i < 10; i++) {
		n += kr_cat(s + n, b->asks.lv[i].price, b->asks.lv[i].price_exp);
		n += kr_cat(s + n, b->asks.lv[i].qty, b->asks.lv[i].qty_exp);
	}
	for (size_t i = 0; i < b->bids.n && i < 10; i++) {
		n += kr_cat(s + n, b->bids.lv[i].price, b->bids.lv[i].price_exp);
		n += kr_cat(s + n, b->bids.lv[i].qty, b->bids.lv[i].qty_exp);
	}
	return (uint32_t)crc32(0L, (const Bytef *)s, (uInt)n);
}

/* The members of a book entry, as kr_book takes them. */
static const char *const kr_book_keys[] = { "symbol", "checksum",
    "timestamp", "bids", "asks" };

/* Applies one side's levels (and the depth cut) to s; -1 if malformed. */
static int
kr_side(struct fsym *s, int ask, struct jv levels, size_t depth, int emit)
{
	static const char *const keys[] = { "price", "qty" };
	static struct jt_names ns;
	struct jv l, k[2];
	struct jit it;

	if (jt_type(levels) != JT_ARR)
		return -1;
	jt_names_once(&ns, keys, 2);
	jt_begin(levels, &it);
	while (jt_next_get(&it, &ns, k, &l)) {
		if (venue_jvlevel(s, ask, k[0], k[1], 1, emit) != 0)
			return -1;
	}
	/* the venue sends no removal for levels pushed out of depth */
	venue_truncate(s, ask, depth, emit);
	return 0;
}

/*
 * The top 10 levels a side, which the checksum covers, as they were
 * before an update: when the update leaves them byte for byte the same
 * (it changed deeper levels), the checksum is the last one computed.
 */
struct kr_top {
	struct book_level	lv[2][10];
	size_t			n[2];
};

static void
kr_top_save(const struct book *b, struct kr_top *t)
{
	t->n[0] = b->bids.n < 10 ? b->bids.n : 10;
	t->n[1] = b->asks.n < 10 ? b->asks.n : 10;
	if (t->n[0] > 0)
		memcpy(t->lv[0], b->bids.lv, t->n[0] * sizeof(t->lv[0][0]));
	if (t->n[1] > 0)
		memcpy(t->lv[1], b->asks.lv, t->n[1] * sizeof(t->lv[1][0]));
}

/* Field by field: the levels' padding bytes say nothing. */
static int
kr_side_same(const struct book_level *a, const struct book_level *b,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].price != b[i].price || a[i].qty != b[i].qty ||
		    a[i].price_exp != b[i].price_exp ||
		    a[i].qty_exp != b[i].qty_exp)
			return 0;
	return 1;
}

static int
kr_top_same(const struct book *b, const struct kr_top *t)
{
	size_t nb = b->bids.n < 10 ? b->bids.n : 10;
	size_t na = b->asks.n < 10 ? b->asks.n : 10;

	return nb == t->n[0] && na == t->n[1] &&
	    kr_side_same(t->lv[0], b->bids.lv, nb) &&
	    kr_side_same(t->lv[1], b->asks.lv, na);
}

/* A book entry, its members k as kr_book_keys names them. */
static void
kr_book(struct feed *f, const struct jv *k, int snap, int64_t recv)
{
	struct fsym *s;
	struct kr_top top;
	uint64_t want;
	uint32_t got;
	int64_t ts;
	size_t depth = kr_depth(f);
	char why[96];

	/*
	 * an entry that cannot be checked loses its book's changes, which
	 * the next checksum may not show (it covers the top 10 levels): the
	 * book is resynced (of a symbol not said, every book)
	 */
	if (jt_type(k[0]) != JT_STR) {
		feed_malformed(f, "book entry without symbol", "", 0);
		feed_resync_all(f, "malformed book message");
		return;
	}
	if ((s = feed_jsym(f, k[0])) == NULL) {
		feed_malformed(f, "book entry of a symbol not subscribed",
		    k[0].p, k[0].n);
		return;
	}
	if (jt_u64(k[1], &want) != 0) {
		feed_malformed(f, "book entry without checksum", k[0].p,
		    k[0].n);
		if (s->synced || snap)
			feed_resync(f, s, "malformed book message");
		return;
	}
	if (!snap && !s->synced) {
		f->ignored++;
		return;
	}
	ts = jv_time(k[2]);
	if (ts < 0)
		ts = recv;
	if (snap)
		book_clear(&s->book);
	else if (kraken_verify)
		kr_top_save(&s->book, &top);
	venue_delta_begin(f, s, ts, recv, 0);
	if (kr_side(s, 0, k[3], depth, !snap) != 0 ||
	    kr_side(s, 1, k[4], depth, !snap) != 0) {
		feed_malformed(f, "bad book levels", s->native,
		    strlen(s->native));
		feed_resync(f, s, "malformed book message");
		return;
	}
	/* an update is applied only to a book a checksum was made of */
	if (!kraken_verify)
		got = (uint32_t)want;
	else if (!snap && kr_top_same(&s->book, &top))
		got = s->top_crc;
	else
		got = kraken_checksum(&s->book);
	s->top_crc = got;
	if (got != want) {
		snprintf(why, sizeof(why), "checksum mismatch: venue %llu, "
		    "book %lu", (unsigned long long)want, (unsigned long)got);
		feed_resync(f, s, why);
		return;
	}
	s->last_ts = ts;
	s->updates++;
	if (snap) {
		s->synced = 1;
		feed_emit_book(f, s, ts, recv, 0);
	} else {
		venue_delta_end(f, s);
	}
}

static void
kr_trade(struct feed *f, struct jv d, int64_t recv)
{
	static const char *const keys[] = { "symbol", "side", "trade_id",
	    "price", "qty", "timestamp" };
	struct jv k[6];
	const char *tid, *p, *q;
	size_t tidn, pn, qn;
	char tb[64], pb[64], qb[64];
	int64_t ts;
	uint64_t vseq = 0;
	struct fsym *s;

	jt_get(d, keys, k, 6);
	/* trade_id: a number (its text) or a string */
	if (jt_type(k[1]) != JT_STR ||
	    jv_dec(k[2], 1, tb, sizeof(tb), &tid, &tidn) != 0 ||
	    jv_dec(k[3], 1, pb, sizeof(pb), &p, &pn) != 0 ||
	    jv_dec(k[4], 1, qb, sizeof(qb), &q, &qn) != 0 ||
	    (ts = jv_time(k[5])) < 0 || (s = feed_jsym(f, k[0])) == NULL) {
		feed_malformed(f, "bad trade", k[0].p ? k[0].p : "", k[0].n);
		return;
	}
	(void)jv_id(k[2], &vseq);	/* else 0 */
	feed_emit_trade(f, s, ts, recv, p, pn, q, qn, jt_eq(k[1], "buy") ?
	    SIDE_BUY : jt_eq(k[1], "sell") ? SIDE_SELL : SIDE_UNKNOWN, tid,
	    tidn, vseq);
}

static void
kr_msg(struct feed *f, const char *data, size_t len, int64_t recv)
{
	static const char *const keys[] = { "channel", "type", "data",
	    "method", "success" };
	static struct jt_names ns, bns;
	struct jv k[5], d;
	struct jit it;

	if (venue_pick(f, data, len, jt_names_once(&ns, keys, 5),
	    k) != 0)
		return;
	if (jt_type(k[0]) != JT_STR) {
		/* method replies: subscribe/unsubscribe acks, pong */
		int nok = jt_type(k[4]) == JT_FALSE;

		if (jt_type(k[3]) != JT_STR || nok)
			feed_malformed(f, nok ? "venue error" :
			    "unexpected message", data, len);
		return;
	}
	if (jt_eq(k[0], "heartbeat") || jt_eq(k[0], "status"))
		return;
	if (jt_type(k[1]) != JT_STR || jt_type(k[2]) != JT_ARR) {
		feed_malformed(f, "no type or data", data, len);
		/* a book message whose books are not known: every book */
		if (jt_eq(k[0], "book"))
			feed_resync_all(f, "malformed book message");
		return;
	}
	if (jt_eq(k[0], "book")) {
		int snap = jt_eq(k[1], "snapshot");
		struct jv bk[5];

		if (!snap && !jt_eq(k[1], "update")) {
			feed_malformed(f, "unknown book type", data, len);
			feed_resync_all(f, "malformed book message");
			return;
		}
		feed_data(f);
		jt_names_once(&bns, kr_book_keys, 5);
		jt_begin(k[2], &it);
		while (jt_next_get(&it, &bns, bk, &d))
			kr_book(f, bk, snap, recv);
	} else if (jt_eq(k[0], "trade")) {
		feed_data(f);
		if (jt_eq(k[1], "update")) {
			jt_begin(k[2], &it);
			while (jt_next(&it, NULL, &d))
				kr_trade(f, d, recv);
		}
	} else {
		feed_unknown(f, k[0], data, len);
	}
}

const struct venue_ops venue_kraken = {
	.name = "kraken",
	.id = VENUE_KRAKEN,
	.default_url = "wss://ws.kraken.com/v2",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USD",
	.default_depth = 10,
	.native_sep = "/",
	.on_open = kr_open,
	.on_msg = kr_msg,
	.on_tick = NULL,
	.resync = kr_resync,
	.on_rest = NULL,
};
