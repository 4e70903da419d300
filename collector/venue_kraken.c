/*
 * venue_kraken.c: Kraken Spot WebSocket v2 (wss://ws.kraken.com/v2).
 *
 * Channels: book (snapshot, then updates; subscribed at --depth rounded
 * up to 10, 25, 100, 500 or 1000, default 10) and trade (no snapshot).
 * The server's heartbeat messages are not data.  Symbols BTC-USD <->
 * BTC/USD.
 * Prices and quantities arrive as JSON numbers whose text matters (the
 * checksum covers trailing zeros), so every number token is quoted before
 * jansson sees the message (kr_quote) and then parsed as an exact decimal.
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

static const size_t kr_depths[] = { 10, 25, 100, 500, 1000 };

static size_t
kr_depth(const struct feed *f)
{
	for (size_t i = 0; i < sizeof(kr_depths) / sizeof(kr_depths[0]); i++)
		if (f->depth <= kr_depths[i])
			return kr_depths[i];
	return 1000;
}

static int
kr_native(const char *sym, char *out, size_t len)
{
	char base[16], quote[16];

	if (venue_split(sym, base, quote) != 0)
		return -1;
	return snprintf(out, len, "%s/%s", base, quote) >= (int)len ? -1 : 0;
}

static void
kr_url(struct feed *f, const char *base, char *out, size_t len)
{
	(void)f;
	snprintf(out, len, "%s", base);
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
 * kr_quote: copies in[0..len) to *buf with every number outside strings
 * put in quotes, so its exact text survives jansson.  Returns the new
 * length, or -1 on allocation failure.
 */
static long
kr_quote(const char *in, size_t len, char **buf, size_t *cap)
{
	size_t o = 0, need = len * 2 + 3;
	int instr = 0;

	if (*cap < need) {
		char *nb = realloc(*buf, need);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = need;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = in[i];

		if (instr) {
			(*buf)[o++] = ch;
			if (ch == '\\' && i + 1 < len)
				(*buf)[o++] = in[++i];
			else if (ch == '"')
				instr = 0;
		} else if (ch == '"') {
			instr = 1;
			(*buf)[o++] = ch;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			(*buf)[o++] = '"';
			while (i < len && (in[i] == '-' || in[i] == '+' ||
			    in[i] == '.' || in[i] == 'e' || in[i] == 'E' ||
			    (in[i] >= '0' && in[i] <= '9')))
				(*buf)[o++] = in[i++];
			(*buf)[o++] = '"';
			i--;
		} else {
			(*buf)[o++] = ch;
		}
	}
	(*buf)[o] = '\0';
	return (long)o;
}

/* Appends a decimal's text without '.' and without leading zeros. */
static size_t
kr_cat(char *out, int64_t m, int e)
{
	char t[DEC_STRMAX];
	size_t n = 0;
	int lead = 1;

	if (dec_format(m, e, t, sizeof(t)) < 0)
		return 0;
	for (const char *p = t; *p; p++) {
		if (*p == '.' || *p == '-')
			continue;
		if (lead && *p == '0')
			continue;
		lead = 0;
		out[n++] = *p;
	}
	return n;
}

uint32_t
kraken_checksum(const struct book *b)
{
	char s[20 * 2 * DEC_STRMAX];
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

/* Applies one side's levels (and the depth cut) to s; -1 if malformed. */
static int
kr_side(struct fsym *s, int ask, json_t *levels, size_t depth, int emit)
{
	struct book_side *sd = ask ? &s->book.asks : &s->book.bids;
	json_t *l;
	size_t i;

	if (!json_is_array(levels))
		return -1;
	json_array_foreach(levels, i, l) {
		if (venue_jlevel(s, ask, json_object_get(l, "price"),
		    json_object_get(l, "qty"), emit) != 0)
			return -1;
	}
	/* the venue sends no removal for levels pushed out of depth */
	for (i = depth; i < sd->n; i++)
		if (emit && msg_add(&venue_msg, ask, sd->lv[i].price,
		    sd->lv[i].price_exp, 0, 0) < 0)
			return -1;
	if (sd->n > depth)
		sd->n = depth;
	return 0;
}

static void
kr_book(struct feed *f, json_t *d, int snap, int64_t recv)
{
	const char *native = jstr(d, "symbol");
	struct fsym *s;
	uint64_t want;
	uint32_t got;
	int64_t ts;
	size_t depth = kr_depth(f);
	char why[96];

	if (native == NULL || (s = feed_sym(f, native, strlen(native))) ==
	    NULL || ju64(json_object_get(d, "checksum"), &want) != 0) {
		feed_malformed(f, "book entry without symbol or checksum",
		    native ? native : "", native ? strlen(native) : 0);
		return;
	}
	if (!snap && !s->synced) {
		f->ignored++;
		return;
	}
	ts = rfc3339_ns(jstr(d, "timestamp"));
	if (ts < 0)
		ts = recv;
	if (snap)
		book_clear(&s->book);
	msg_begin(&venue_msg, f->ops->id, s->sym, 0, ts, recv, 0);
	if (kr_side(s, 0, json_object_get(d, "bids"), depth, !snap) != 0 ||
	    kr_side(s, 1, json_object_get(d, "asks"), depth, !snap) != 0) {
		feed_malformed(f, "bad book levels", native, strlen(native));
		feed_resync(f, s, "malformed book message");
		return;
	}
	got = kraken_checksum(&s->book);
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
		collector_emit(f->c, venue_msg.recs, msg_end(&venue_msg));
	}
}

static void
kr_trade(struct feed *f, json_t *d, int64_t recv)
{
	const char *native = jstr(d, "symbol"), *side = jstr(d, "side");
	const char *tid = jstr(d, "trade_id");
	json_t *p = json_object_get(d, "price"), *q = json_object_get(d, "qty");
	int64_t ts = rfc3339_ns(jstr(d, "timestamp"));
	uint64_t vseq = 0;
	struct fsym *s;

	if (native == NULL || side == NULL || tid == NULL ||
	    !json_is_string(p) || !json_is_string(q) || ts < 0 ||
	    (s = feed_sym(f, native, strlen(native))) == NULL) {
		feed_malformed(f, "bad trade", native ? native : "",
		    native ? strlen(native) : 0);
		return;
	}
	(void)ju64(json_object_get(d, "trade_id"), &vseq);
	feed_emit_trade(f, s, ts, recv, json_string_value(p),
	    json_string_length(p), json_string_value(q), json_string_length(q),
	    strcmp(side, "buy") == 0 ? SIDE_BUY : strcmp(side, "sell") == 0 ?
	    SIDE_SELL : SIDE_UNKNOWN, tid, vseq);
}

static void
kr_msg(struct feed *f, char *data, size_t len, int64_t recv)
{
	static char *qbuf;
	static size_t qcap;
	json_error_t jerr;
	json_t *m, *arr, *d;
	const char *ch, *type;
	long qlen = kr_quote(data, len, &qbuf, &qcap);
	size_t i;

	if (qlen < 0 || (m = json_loadb(qbuf, (size_t)qlen, 0, &jerr)) ==
	    NULL) {
		feed_malformed(f, "not JSON", data, len);
		return;
	}
	ch = jstr(m, "channel");
	type = jstr(m, "type");
	if (ch == NULL) {
		/* method replies: subscribe/unsubscribe acks, pong */
		json_t *ok = json_object_get(m, "success");

		if (jstr(m, "method") == NULL || json_is_false(ok))
			feed_malformed(f, json_is_false(ok) ? "venue error" :
			    "unexpected message", data, len);
		goto out;
	}
	if (strcmp(ch, "heartbeat") == 0 || strcmp(ch, "status") == 0)
		goto out;
	arr = json_object_get(m, "data");
	if (type == NULL || !json_is_array(arr)) {
		feed_malformed(f, "no type or data", data, len);
		goto out;
	}
	if (strcmp(ch, "book") == 0) {
		int snap = strcmp(type, "snapshot") == 0;

		if (!snap && strcmp(type, "update") != 0) {
			feed_malformed(f, "unknown book type", data, len);
			goto out;
		}
		feed_data(f);
		json_array_foreach(arr, i, d)
			kr_book(f, d, snap, recv);
	} else if (strcmp(ch, "trade") == 0) {
		feed_data(f);
		if (strcmp(type, "update") == 0)
			json_array_foreach(arr, i, d)
				kr_trade(f, d, recv);
	} else {
		f->ignored++;
	}
out:
	json_decref(m);
}

const struct venue_ops venue_kraken = {
	.name = "kraken",
	.id = VENUE_KRAKEN,
	.default_url = "wss://ws.kraken.com/v2",
	.default_rest_url = NULL,
	.default_symbols = "BTC-USD",
	.default_depth = 10,
	.native = kr_native,
	.url = kr_url,
	.on_open = kr_open,
	.on_msg = kr_msg,
	.on_tick = NULL,
	.resync = kr_resync,
	.on_rest = NULL,
};
