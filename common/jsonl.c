/*
 * jsonl.c: JSONL encoding (hand-written, no allocation), checking what
 * can be encoded, joining a ring's records into messages, and decoding
 * (jansson); see jsonl.h, tickpipe-json(5) and tickpipe-ring(5).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dec.h"
#include "jsonl.h"
#include "util.h"

const char *
jsonl_type_word(unsigned type)
{
	static const char *const words[] = {
		"unknown", "trade", "book", "status", "quote", "book_top",
		"bar", "xbest",
	};

	return type < sizeof(words) / sizeof(*words) ? words[type] :
	    "unknown";
}

int
jsonl_multi(unsigned type)
{
	return type == REC_BOOK || type == REC_BOOK_TOP;
}

static char *
put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *
put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, 0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

/*
 * JSON string from at most max bytes of s (NUL ends it earlier).  Text
 * that is not valid UTF-8 (a venue's id, a reason cut mid-character) has
 * its non-ASCII bytes replaced by '?', so every line is valid UTF-8.
 */
static char *
put_jstr(char *p, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strnlen(s, max);
	int ok = utf8_valid(s, len);

	*p++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && !ok)
			c = '?';
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else
			*p++ = (char)c;
	}
	*p++ = '"';
	return p;
}

static char *
put_dec(char *p, int64_t m, int e)
{
	int n;

	*p++ = '"';
	n = dec_format(m, e, p, DEC_STRMAX);
	if (n < 0)
		n = 0;	/* out-of-range exponent: cannot come from decode */
	p += n;
	*p++ = '"';
	return p;
}

/*
 * The header keys, "type" first; the venue sequence under seqkey:
 * "vseq", or "src_seq" in a derived record (tickpipe-json(5)).
 */
static char *
put_head_as(char *p, const char *type, const struct tp_record *r,
    const char *seqkey)
{
	p = put_str(p, "{\"type\":\"");
	p = put_str(p, type);
	p = put_str(p, "\",\"venue\":\"");
	p = put_str(p, venue_name(r->venue));
	*p++ = '"';
	if (r->symbol[0] != '\0') {
		p = put_str(p, ",\"symbol\":");
		p = put_jstr(p, r->symbol, REC_SYMBOL_LEN);
	}
	p = put_str(p, ",\"seq\":");
	p = put_u64(p, r->seq);
	*p++ = ',';
	*p++ = '"';
	p = put_str(p, seqkey);
	p = put_str(p, "\":");
	p = put_u64(p, r->vseq);
	p = put_str(p, ",\"ts\":");
	p = put_i64(p, r->ts);
	p = put_str(p, ",\"recv\":");
	p = put_i64(p, r->recv);
	return p;
}

static char *
put_head(char *p, const char *type, const struct tp_record *r)
{
	return put_head_as(p, type, r, "vseq");
}

/* The header of a derived record (its symbol is never empty). */
static char *
put_dhead(char *p, const char *type, const struct tp_record *r)
{
	return put_head_as(p, type, r, "src_seq");
}

/* ,"KEY":"decimal" or ,"KEY":null */
static char *
put_opt_dec(char *p, const char *key, int has, int64_t m, int e)
{
	*p++ = ',';
	*p++ = '"';
	p = put_str(p, key);
	*p++ = '"';
	*p++ = ':';
	if (!has)
		return put_str(p, "null");
	return put_dec(p, m, e);
}

/* "1s", "250ms", "1m", "1h", "1d": an interval in its shortest unit. */
size_t
jsonl_interval_name(uint64_t ms, char *buf, size_t len)
{
	static const struct { uint64_t ms; const char *u; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" }, { 1, "ms" },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (ms != 0 && ms % units[i].ms == 0) {
			n = snprintf(buf, len, "%" PRIu64 "%s",
			    ms / units[i].ms, units[i].u);
			break;
		}
	if (n <= 0 || (size_t)n >= len)
		n = snprintf(buf, len, "0ms");
	return (size_t)n;
}

/* A venue mask as a JSON array of names. */
static char *
put_venues(char *p, uint32_t mask)
{
	int first = 1;

	*p++ = '[';
	for (unsigned v = 0; v < REC_XB_VENUES; v++) {
		if (!(mask & (1u << v)))
			continue;
		if (!first)
			*p++ = ',';
		first = 0;
		*p++ = '"';
		p = put_str(p, venue_name(v));
		*p++ = '"';
	}
	*p++ = ']';
	return p;
}

static char *
put_derived(char *p, const struct tp_record *recs, size_t n);

/* Appends the levels of one side, over all records, to p. */
static char *
put_side(char *p, const struct tp_record *recs, size_t n, int asks)
{
	int first = 1;

	*p++ = '[';
	for (size_t k = 0; k < n; k++) {
		const struct rec_book *b = &recs[k].u.book;
		unsigned lo = asks ? b->nbids : 0;
		unsigned hi = asks ? (unsigned)b->nbids + b->nasks : b->nbids;

		if (hi > REC_BOOK_LEVELS)
			hi = REC_BOOK_LEVELS;
		for (unsigned i = lo; i < hi; i++) {
			if (!first)
				*p++ = ',';
			first = 0;
			*p++ = '[';
			p = put_dec(p, b->price[i], b->price_exp[i]);
			*p++ = ',';
			p = put_dec(p, b->qty[i], b->qty_exp[i]);
			*p++ = ']';
		}
	}
	*p++ = ']';
	return p;
}

size_t
jsonl_encode(const struct tp_record *recs, size_t n, char *buf)
{
	const struct tp_record *r = &recs[0];
	char *p = buf;

	switch (r->type) {
	case REC_TRADE:
		p = put_head(p, "trade", r);
		p = put_str(p, ",\"price\":");
		p = put_dec(p, r->u.trade.price, r->u.trade.price_exp);
		p = put_str(p, ",\"qty\":");
		p = put_dec(p, r->u.trade.qty, r->u.trade.qty_exp);
		p = put_str(p, ",\"side\":\"");
		p = put_str(p, side_name(r->u.trade.side));
		p = put_str(p, "\",\"tid\":");
		p = put_jstr(p, r->u.trade.tid, REC_TID_LEN);
		break;
	case REC_BOOK:
		p = put_head(p, r->flags & REC_F_SNAPSHOT ? "book_snapshot" :
		    "book_delta", r);
		if (r->aux != 0) {
			p = put_str(p, ",\"vfirst\":");
			p = put_u64(p, r->aux);
		}
		p = put_str(p, ",\"bids\":");
		p = put_side(p, recs, n, 0);
		p = put_str(p, ",\"asks\":");
		p = put_side(p, recs, n, 1);
		break;
	case REC_STATUS:
		p = put_head(p, "status", r);
		p = put_str(p, ",\"status\":\"");
		p = put_str(p, status_name(r->u.status.code));
		p = put_str(p, "\",\"reason\":");
		p = put_jstr(p, r->u.status.reason, REC_REASON_LEN);
		break;
	case REC_QUOTE:
	case REC_BOOK_TOP:
	case REC_BAR:
	case REC_XBEST:
		p = put_derived(p, recs, n);
		break;
	default:
		p = put_head(p, "unknown", r);
		p = put_str(p, ",\"rtype\":");
		p = put_u64(p, r->type);
		break;
	}
	*p++ = '}';
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* The derived types (tickpipe-json(5)); r->type is one of them. */
static char *
put_derived(char *p, const struct tp_record *recs, size_t n)
{
	const struct tp_record *r = &recs[0];
	char iname[32];

	switch (r->type) {
	case REC_QUOTE: {
		const struct rec_quote *q = &r->u.quote;

		p = put_dhead(p, "quote", r);
		p = put_opt_dec(p, "bid", q->has_bid, q->bid, q->bid_exp);
		p = put_opt_dec(p, "bid_qty", q->has_bid, q->bid_qty,
		    q->bid_qty_exp);
		p = put_opt_dec(p, "ask", q->has_ask, q->ask, q->ask_exp);
		p = put_opt_dec(p, "ask_qty", q->has_ask, q->ask_qty,
		    q->ask_qty_exp);
		break;
	}
	case REC_BOOK_TOP:
		p = put_dhead(p, "book_top", r);
		p = put_str(p, ",\"depth\":");
		p = put_u64(p, r->u.top.depth);
		p = put_str(p, ",\"interval_ms\":");
		p = put_u64(p, r->u.top.interval_ms);
		p = put_str(p, ",\"bids\":");
		p = put_side(p, recs, n, 0);
		p = put_str(p, ",\"asks\":");
		p = put_side(p, recs, n, 1);
		break;
	case REC_BAR: {
		const struct rec_bar *b = &r->u.bar;
		int has = b->trades > 0;

		p = put_dhead(p, "bar", r);
		jsonl_interval_name(b->interval_ms, iname, sizeof(iname));
		p = put_str(p, ",\"interval\":\"");
		p = put_str(p, iname);
		p = put_str(p, "\",\"start\":");
		p = put_i64(p, b->start);
		p = put_str(p, ",\"end\":");
		p = put_i64(p, b->end);
		p = put_str(p, ",\"trades\":");
		p = put_u64(p, b->trades);
		p = put_opt_dec(p, "open", has, b->open, b->open_exp);
		p = put_opt_dec(p, "high", has, b->high, b->high_exp);
		p = put_opt_dec(p, "low", has, b->low, b->low_exp);
		p = put_opt_dec(p, "close", has, b->close, b->close_exp);
		p = put_opt_dec(p, "volume", 1, b->volume, b->volume_exp);
		p = put_opt_dec(p, "buy_volume", 1, b->buy_volume,
		    b->buy_volume_exp);
		p = put_opt_dec(p, "sell_volume", 1, b->sell_volume,
		    b->sell_volume_exp);
		p = put_opt_dec(p, "vwap", has, b->vwap, b->vwap_exp);
		break;
	}
	case REC_XBEST: {
		const struct rec_xbest *x = &r->u.xbest;
		int first = 1;

		p = put_dhead(p, "xbest", r);
		p = put_opt_dec(p, "bid", x->has_bid, x->bid, x->bid_exp);
		p = put_opt_dec(p, "bid_qty", x->has_bid, x->bid_qty,
		    x->bid_qty_exp);
		p = put_str(p, ",\"bid_venue\":");
		if (x->has_bid) {
			*p++ = '"';
			p = put_str(p, venue_name(x->bid_venue));
			*p++ = '"';
		} else
			p = put_str(p, "null");
		p = put_opt_dec(p, "ask", x->has_ask, x->ask, x->ask_exp);
		p = put_opt_dec(p, "ask_qty", x->has_ask, x->ask_qty,
		    x->ask_qty_exp);
		p = put_str(p, ",\"ask_venue\":");
		if (x->has_ask) {
			*p++ = '"';
			p = put_str(p, venue_name(x->ask_venue));
			*p++ = '"';
		} else
			p = put_str(p, "null");
		p = put_str(p, ",\"state\":\"");
		p = put_str(p, xbest_state_name(x->state));
		p = put_str(p, "\",\"venues\":");
		p = put_venues(p, x->venues);
		p = put_str(p, ",\"excluded\":[");
		for (unsigned v = 0; v < REC_XB_VENUES; v++) {
			if (!(x->excluded & (1u << v)))
				continue;
			if (!first)
				*p++ = ',';
			first = 0;
			p = put_str(p, "{\"venue\":\"");
			p = put_str(p, venue_name(v));
			p = put_str(p, "\",\"why\":\"");
			p = put_str(p, xbest_why_name(x->why[v]));
			p = put_str(p, "\"}");
		}
		*p++ = ']';
		break;
	}
	}
	return p;
}

size_t
jsonl_encode_gap(const struct jsonl_gap *g, char *buf)
{
	char *p = buf;

	p = put_str(p, "{\"type\":\"gap\",\"from\":");
	p = put_u64(p, g->from);
	p = put_str(p, ",\"lost\":");
	p = put_u64(p, g->lost);
	if (g->new_ring)
		p = put_str(p, ",\"new_ring\":true");
	*p++ = '}';
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* --- checking --- */

/* A record's string field for a message: printable ASCII, else '?'. */
static const char *
shown(const char *s, size_t max, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < max && i + 1 < len && s[i] != '\0'; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/*
 * Checks one decimal: a trade's (level < 0) or a book level's price or
 * qty.  The reason is written only on failure: this runs for every level
 * shmreader prints.
 */
static int
check_dec(const struct tp_record *r, int level, int qty, int64_t m, int e,
    char *why, size_t len)
{
	char what[32];
	int bad = e < DEC_EXP_MIN || e > DEC_EXP_MAX;

	if (!bad && !(qty && m < 0))
		return 0;
	if (level < 0)
		snprintf(what, sizeof(what), "%s", qty ? "qty" : "price");
	else
		snprintf(what, sizeof(what), "level %d %s", level, qty ? "qty" :
		    "price");
	if (bad)
		snprintf(why, len, "seq %" PRIu64 ": %s exponent %d outside "
		    "%d to %d", r->seq, what, e, DEC_EXP_MIN, DEC_EXP_MAX);
	else
		snprintf(why, len, "seq %" PRIu64 ": %s is negative", r->seq,
		    what);
	return -1;
}

/* A NUL-terminated string field of size max, for jsonl_decode's limits. */
static int
check_str(const struct tp_record *r, const char *what, const char *s,
    size_t max, char *why, size_t len)
{
	if (memchr(s, '\0', max) == NULL) {
		snprintf(why, len, "seq %" PRIu64 ": %s has no NUL in its %zu "
		    "bytes", r->seq, what, max);
		return -1;
	}
	return 0;
}

/* The header fields jsonl_encode prints from the first record. */
static int
check_head(const struct tp_record *r, char *why, size_t len)
{
	char sym[REC_SYMBOL_LEN + 1];

	if (r->venue == VENUE_UNKNOWN || r->venue >= VENUE_MAX) {
		snprintf(why, len, "seq %" PRIu64 ": venue id %u unknown",
		    r->seq, r->venue);
		return -1;
	}
	/* tickpipe-ring(5): "all" names records derived across venues */
	if (r->venue == VENUE_ALL && (r->type == REC_TRADE ||
	    r->type == REC_BOOK)) {
		snprintf(why, len, "seq %" PRIu64 ": %s record of venue all, "
		    "which names records derived across venues", r->seq,
		    r->type == REC_TRADE ? "trade" : "book");
		return -1;
	}
	if (r->symbol[0] == '\0' && r->type != REC_STATUS) {
		snprintf(why, len, "seq %" PRIu64 ": %s without a symbol",
		    r->seq, r->type == REC_TRADE ? "trade" : r->type ==
		    REC_BOOK ? "book record" : "derived record");
		return -1;
	}
	if (r->symbol[0] != '\0' && (memchr(r->symbol, '\0',
	    REC_SYMBOL_LEN) == NULL || !rec_symbol_ok(r->symbol))) {
		snprintf(why, len, "seq %" PRIu64 ": symbol \"%s\" not "
		    "BASE-QUOTE", r->seq, shown(r->symbol, REC_SYMBOL_LEN, sym,
		    sizeof(sym)));
		return -1;
	}
	/* jsonl_decode reads integers up to 2^63 - 1, and times from 0 */
	if (r->seq > INT64_MAX || r->vseq > INT64_MAX || r->aux > INT64_MAX) {
		snprintf(why, len, "seq %" PRIu64 ": %s %" PRIu64 " above "
		    "2^63 - 1", r->seq, r->seq > INT64_MAX ? "seq" :
		    r->vseq > INT64_MAX ? "vseq" : "aux", r->seq > INT64_MAX ?
		    r->seq : r->vseq > INT64_MAX ? r->vseq : r->aux);
		return -1;
	}
	if (r->ts < 0 || r->recv < 0) {
		snprintf(why, len, "seq %" PRIu64 ": %s %" PRId64 " negative",
		    r->seq, r->ts < 0 ? "ts" : "recv", r->ts < 0 ? r->ts :
		    r->recv);
		return -1;
	}
	return 0;
}

/*
 * line_fits: 0 if the message recs[0..n), which jsonl_check otherwise
 * accepts, prints as a line of at most JSONL_MAX_LINE bytes, the most
 * collector jsonl reads; else -1 with the reason in why, after "seq N: "
 * if seq.  Only a message of many records can print longer (levels whose
 * decimals are long, as large exponents print): the others are not
 * encoded.
 */
static int
line_fits(const struct tp_record *recs, size_t n, int seq, char *why,
    size_t len)
{
	char *buf;
	size_t l;
	int k = 0;

	if (JSONL_BUFSIZE(n) <= (size_t)JSONL_MAX_LINE + 1)
		return 0;
	if (seq)
		k = snprintf(why, len, "seq %" PRIu64 ": ", recs[0].seq);
	if (k < 0 || (size_t)k >= len)
		k = 0;
	if ((buf = malloc(JSONL_BUFSIZE(n))) == NULL) {
		snprintf(why + k, len - (size_t)k, "out of memory measuring "
		    "its line");
		return -1;
	}
	l = jsonl_encode(recs, n, buf) - 1;
	free(buf);
	if (l <= (size_t)JSONL_MAX_LINE)
		return 0;
	snprintf(why + k, len - (size_t)k, "a book message that prints as "
	    "a line of %zu bytes, longer than %d", l, JSONL_MAX_LINE);
	return -1;
}

static int
check_book(const struct tp_record *recs, size_t n, char *why, size_t len)
{
	char a[REC_SYMBOL_LEN + 1], b[REC_SYMBOL_LEN + 1];

	for (size_t k = 0; k < n; k++) {
		const struct tp_record *r = &recs[k];
		const struct rec_book *bk = &r->u.book;
		unsigned nlev = (unsigned)bk->nbids + bk->nasks;

		if (k > 0 && (r->type != recs[0].type ||
		    r->venue != recs[0].venue ||
		    strncmp(r->symbol, recs[0].symbol, REC_SYMBOL_LEN) != 0)) {
			snprintf(why, len, "seq %" PRIu64 ": record of type %u, "
			    "%s \"%s\" inside a book message of %s \"%s\" from "
			    "seq %" PRIu64, r->seq, r->type,
			    venue_name(r->venue), shown(r->symbol,
			    REC_SYMBOL_LEN, a, sizeof(a)),
			    venue_name(recs[0].venue), shown(recs[0].symbol,
			    REC_SYMBOL_LEN, b, sizeof(b)), recs[0].seq);
			return -1;
		}
		if (nlev > REC_BOOK_LEVELS) {
			snprintf(why, len, "seq %" PRIu64 ": nbids %u + nasks "
			    "%u is more than %d levels", r->seq, bk->nbids,
			    bk->nasks, REC_BOOK_LEVELS);
			return -1;
		}
		for (unsigned j = 0; j < nlev; j++)
			if (check_dec(r, (int)j, 0, bk->price[j],
			    bk->price_exp[j], why, len) < 0 ||
			    check_dec(r, (int)j, 1, bk->qty[j], bk->qty_exp[j],
			    why, len) < 0)
				return -1;
	}
	return 0;
}

/*
 * level_after: 1 if level j of b may follow level i of a on their side
 * (tickpipe-json(5)): a strictly lower bid or higher ask, by value.
 */
static int
level_after(int ask, const struct rec_book *a, unsigned i,
    const struct rec_book *b, unsigned j)
{
	int c = dec_cmp(a->price[i], a->price_exp[i], b->price[j],
	    b->price_exp[j]);

	return ask ? c < 0 : c > 0;
}

/*
 * check_order: each side of the book snapshot or book_top message
 * recs[0..n) best first and each price once (tickpipe-ring(5)), across
 * its records.  recs passed check_book.
 */
static int
check_order(const struct tp_record *recs, size_t n, char *why, size_t len)
{
	for (int ask = 0; ask <= 1; ask++) {
		const struct rec_book *pb = NULL;
		unsigned pj = 0;

		for (size_t k = 0; k < n; k++) {
			const struct rec_book *b = &recs[k].u.book;
			unsigned lo = ask ? b->nbids : 0;
			unsigned hi = ask ? (unsigned)b->nbids + b->nasks :
			    b->nbids;

			for (unsigned j = lo; j < hi; j++) {
				if (pb != NULL && !level_after(ask, pb, pj, b,
				    j)) {
					snprintf(why, len, "seq %" PRIu64 ": "
					    "level %u %s price not %s the one "
					    "before it (best first, each price "
					    "once)", recs[k].seq, j, ask ?
					    "ask" : "bid", ask ? "above" :
					    "below");
					return -1;
				}
				pb = b;
				pj = j;
			}
		}
	}
	return 0;
}

/*
 * The state an xbest's prices make, as tickpipe-json(5) defines it:
 * crossed (bid above ask), locked (equal by value) or normal, normal
 * too when a side is absent.
 */
static unsigned
xbest_state(const struct rec_xbest *x)
{
	int c;

	if (!x->has_bid || !x->has_ask)
		return XB_NORMAL;
	c = dec_cmp(x->bid, x->bid_exp, x->ask, x->ask_exp);
	return c > 0 ? XB_CROSSED : c == 0 ? XB_LOCKED : XB_NORMAL;
}

/*
 * A book_top message is of one depth N and interval, which every record
 * carries (tickpipe-ring(5)), and holds at most N levels a side
 * (tickpipe-json(5)); recs[0..n) passed check_book.  A record of another
 * depth or interval is said as such: the line would print the first's.
 */
static int
check_top_depth(const struct tp_record *recs, size_t n, char *why,
    size_t len)
{
	const struct rec_top *t0 = &recs[0].u.top;
	size_t nb = 0, na = 0;

	for (size_t k = 0; k < n; k++) {
		const struct rec_top *t = &recs[k].u.top;

		if (t->depth != t0->depth || t->interval_ms != t0->interval_ms) {
			snprintf(why, len, "seq %" PRIu64 ": book_top record of "
			    "depth %u, interval_ms %" PRIu32 " inside a message "
			    "of depth %u, interval_ms %" PRIu32 " from seq %"
			    PRIu64, recs[k].seq, t->depth, t->interval_ms,
			    t0->depth, t0->interval_ms, recs[0].seq);
			return -1;
		}
		nb += t->nbids;
		na += t->nasks;
	}
	if (nb <= recs[0].u.top.depth && na <= recs[0].u.top.depth)
		return 0;
	snprintf(why, len, "seq %" PRIu64 ": book_top record with bad fields",
	    recs[0].seq);
	return -1;
}

/* The payload of a derived record (the levels of a book_top apart). */
static int
check_derived(const struct tp_record *r, char *why, size_t len)
{
	const struct rec_quote *q = &r->u.quote;
	const struct rec_bar *b = &r->u.bar;
	const struct rec_xbest *x = &r->u.xbest;

	switch (r->type) {
	case REC_QUOTE:
		if (q->has_bid > 1 || q->has_ask > 1)
			break;
		if ((q->has_bid && (check_dec(r, -1, 0, q->bid, q->bid_exp,
		    why, len) < 0 || check_dec(r, -1, 1, q->bid_qty,
		    q->bid_qty_exp, why, len) < 0)) ||
		    (q->has_ask && (check_dec(r, -1, 0, q->ask, q->ask_exp,
		    why, len) < 0 || check_dec(r, -1, 1, q->ask_qty,
		    q->ask_qty_exp, why, len) < 0)))
			return -1;
		return 0;
	case REC_BOOK_TOP:
		if (r->u.top.depth == 0 || r->u.top.interval_ms == 0)
			break;
		return 0;
	case REC_BAR:
		/* tickpipe-json(5): "interval" names its length */
		if (b->interval_ms == 0 || b->interval_ms > INT64_MAX / 1000000 ||
		    b->trades > INT64_MAX || b->start < 0 || b->end < b->start ||
		    (uint64_t)(b->end - b->start) != b->interval_ms * 1000000)
			break;
		if (check_dec(r, -1, 1, b->volume, b->volume_exp, why,
		    len) < 0 || check_dec(r, -1, 1, b->buy_volume,
		    b->buy_volume_exp, why, len) < 0 || check_dec(r, -1, 1,
		    b->sell_volume, b->sell_volume_exp, why, len) < 0)
			return -1;
		if (b->trades > 0 && (check_dec(r, -1, 0, b->open, b->open_exp,
		    why, len) < 0 || check_dec(r, -1, 0, b->high, b->high_exp,
		    why, len) < 0 || check_dec(r, -1, 0, b->low, b->low_exp,
		    why, len) < 0 || check_dec(r, -1, 0, b->close, b->close_exp,
		    why, len) < 0 || check_dec(r, -1, 0, b->vwap, b->vwap_exp,
		    why, len) < 0))
			return -1;
		return 0;
	case REC_XBEST:
		/* tickpipe-ring(5): an xbest is across venues, of venue all */
		if (r->venue != VENUE_ALL) {
			snprintf(why, len, "seq %" PRIu64 ": xbest record of "
			    "venue %s, not all", r->seq, venue_name(r->venue));
			return -1;
		}
		if (x->has_bid > 1 || x->has_ask > 1 || x->state > XB_CROSSED ||
		    (x->venues & x->excluded) != 0 ||
		    (x->venues | x->excluded) >> VENUE_MAX != 0 ||
		    ((x->venues | x->excluded) & 1u) != 0 ||
		    ((x->venues | x->excluded) >> VENUE_ALL & 1u) != 0 ||
		    (x->has_bid && (x->bid_venue >= REC_XB_VENUES ||
		    !(x->venues >> x->bid_venue & 1u))) ||
		    (x->has_ask && (x->ask_venue >= REC_XB_VENUES ||
		    !(x->venues >> x->ask_venue & 1u))))
			break;
		for (unsigned v = 0; v < REC_XB_VENUES; v++)
			if ((x->excluded >> v & 1u) && (x->why[v] ==
			    XB_WHY_NONE || x->why[v] > XB_WHY_DISCONNECTED))
				goto bad;
		if ((x->has_bid && (check_dec(r, -1, 0, x->bid, x->bid_exp,
		    why, len) < 0 || check_dec(r, -1, 1, x->bid_qty,
		    x->bid_qty_exp, why, len) < 0)) ||
		    (x->has_ask && (check_dec(r, -1, 0, x->ask, x->ask_exp,
		    why, len) < 0 || check_dec(r, -1, 1, x->ask_qty,
		    x->ask_qty_exp, why, len) < 0)))
			return -1;
		if (x->state != xbest_state(x))
			break;
		return 0;
	}
bad:
	snprintf(why, len, "seq %" PRIu64 ": %s record with bad fields",
	    r->seq, jsonl_type_word(r->type));
	return -1;
}

int
jsonl_check(const struct tp_record *recs, size_t n, char *why, size_t len)
{
	const struct tp_record *r = &recs[0];

	if (n == 0 || n > JSONL_MAX_RECS) {
		snprintf(why, len, "a message of %zu records, not 1 to %d", n,
		    JSONL_MAX_RECS);
		return -1;
	}
	if (r->type == REC_NONE || r->type > REC_XBEST) {
		snprintf(why, len, "seq %" PRIu64 ": record type %u unknown",
		    r->seq, r->type);
		return -1;
	}
	if (n > 1 && !jsonl_multi(r->type)) {
		snprintf(why, len, "seq %" PRIu64 ": a %s message of %zu "
		    "records", r->seq, jsonl_type_word(r->type), n);
		return -1;
	}
	if (check_head(r, why, len) < 0)
		return -1;
	switch (r->type) {
	case REC_TRADE:
		if (check_dec(r, -1, 0, r->u.trade.price, r->u.trade.price_exp,
		    why, len) < 0 ||
		    check_dec(r, -1, 1, r->u.trade.qty, r->u.trade.qty_exp, why,
		    len) < 0 ||
		    check_str(r, "tid", r->u.trade.tid, REC_TID_LEN, why,
		    len) < 0)
			return -1;
		break;
	case REC_STATUS:
		if (r->u.status.code == 0 ||
		    status_code(status_name(r->u.status.code)) !=
		    r->u.status.code) {
			snprintf(why, len, "seq %" PRIu64 ": status code %u "
			    "unknown", r->seq, r->u.status.code);
			return -1;
		}
		if (check_str(r, "reason", r->u.status.reason, REC_REASON_LEN,
		    why, len) < 0)
			return -1;
		break;
	case REC_BOOK:
		/* a delta's levels are changes, in any order */
		if (check_book(recs, n, why, len) < 0 ||
		    ((recs[0].flags & REC_F_SNAPSHOT) != 0 &&
		    check_order(recs, n, why, len) < 0))
			return -1;
		return line_fits(recs, n, 1, why, len);
	case REC_BOOK_TOP:
		if (check_book(recs, n, why, len) < 0 ||
		    check_order(recs, n, why, len) < 0 ||
		    check_top_depth(recs, n, why, len) < 0 ||
		    line_fits(recs, n, 1, why, len) < 0)
			return -1;
		/* fall through */
	default:
		return check_derived(r, why, len);
	}
	return 0;
}

/* --- assembling book messages --- */

enum {
	M_RESYNC = 0,	/* at the start or after a cut: a tail is expected */
	M_IDLE,		/* between messages */
	M_COLLECT,	/* recs[0..n) are a message's first records */
	M_DISCARD,	/* dropping the rest of a message, up to its LAST */
};

void
jsonl_msg_init(struct jsonl_msg *m)
{
	m->n = 0;
	m->state = M_RESYNC;
}

/* "book message at seq F..L" for the records collected. */
static int
msg_span(const struct jsonl_msg *m, char *why, size_t len)
{
	uint64_t f = m->recs[0].seq, l = m->recs[m->n - 1].seq;

	if (f == l)
		return snprintf(why, len, "book message at seq %" PRIu64, f);
	return snprintf(why, len, "book message at seq %" PRIu64 "..%" PRIu64,
	    f, l);
}


int
jsonl_msg_add(struct jsonl_msg *m, const struct tp_record *rec, char *why,
    size_t len)
{
	int last = (rec->flags & REC_F_LAST) != 0, rc;

	if (m->state == M_COLLECT && (rec->type != m->recs[0].type ||
	    (rec->flags & REC_F_START))) {
		int k = msg_span(m, why, len);

		if (k >= 0 && (size_t)k < len)
			snprintf(why + k, len - (size_t)k, ": no LAST before "
			    "the %s%s record at seq %" PRIu64,
			    jsonl_type_word(rec->type), jsonl_multi(rec->type) ?
			    " START" : "", rec->seq);
		m->n = 0;
		m->state = M_IDLE;
		return JSONL_MSG_AGAIN;
	}
	if (!jsonl_multi(rec->type)) {
		m->state = M_IDLE;
		m->recs[0] = *rec;
		m->n = 1;
		goto check;
	}
	if (rec->flags & REC_F_START) {
		m->n = 0;
		m->state = M_COLLECT;
	}
	switch (m->state) {
	case M_RESYNC:
	case M_IDLE:
		rc = m->state == M_RESYNC ? JSONL_MSG_TAIL : JSONL_MSG_PARTIAL;
		snprintf(why, len, "seq %" PRIu64 ": %s record without START "
		    "that continues no message", rec->seq, jsonl_type_word(rec->type));
		m->state = last ? M_IDLE : M_DISCARD;
		return rc;
	case M_DISCARD:
		if (last)
			m->state = M_IDLE;
		return JSONL_MSG_MORE;
	}
	if (m->n == JSONL_MAX_RECS) {
		snprintf(why, len, "book message from seq %" PRIu64 ": more "
		    "than %d records", m->recs[0].seq, JSONL_MAX_RECS);
		m->n = 0;
		m->state = last ? M_IDLE : M_DISCARD;
		return JSONL_MSG_BAD;
	}
	m->recs[m->n++] = *rec;
	if (!last)
		return JSONL_MSG_MORE;
	m->state = M_IDLE;
check:
	if (jsonl_check(m->recs, m->n, why, len) < 0) {
		m->n = 0;
		return JSONL_MSG_BAD;
	}
	return JSONL_MSG_READY;
}

int
jsonl_msg_pending(const struct jsonl_msg *m)
{
	return m->state == M_COLLECT;
}

int
jsonl_msg_cut(struct jsonl_msg *m, const char *what, char *why, size_t len)
{
	int cut = jsonl_msg_pending(m);

	if (cut) {
		int k = msg_span(m, why, len);

		if (k >= 0 && (size_t)k < len)
			snprintf(why + k, len - (size_t)k, ": %s", what);
	}
	jsonl_msg_init(m);
	return cut;
}

/* --- decoding --- */

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int
get_int(json_t *o, const char *key, int required, int64_t min, int64_t *out,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (required) {
			snprintf(err, errlen, "missing key \"%s\"", key);
			return -1;
		}
		return 0;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "\"%s\" must be an integer", key);
		return -1;
	}
	if (json_integer_value(v) < min) {
		snprintf(err, errlen, "\"%s\" out of range", key);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

static int
get_dec(json_t *v, const char *what, int64_t *m, int8_t *e, char *err,
    size_t errlen)
{
	int rc;

	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s must be a string holding a decimal",
		    what);
		return -1;
	}
	rc = dec_parse(json_string_value(v), json_string_length(v), m, e);
	if (rc == DEC_ERANGE) {
		snprintf(err, errlen, "%s \"%.40s\": out of range", what,
		    json_string_value(v));
		return -1;
	}
	if (rc != DEC_OK) {
		snprintf(err, errlen, "%s \"%.40s\": not a decimal number",
		    what, json_string_value(v));
		return -1;
	}
	return 0;
}

static int
decode_side(json_t *arr, const char *name, int asks, struct tp_record *recs,
    size_t max, size_t *nlev, char *err, size_t errlen)
{
	size_t i;
	json_t *lv;

	if (!json_is_array(arr)) {
		snprintf(err, errlen, "\"%s\" must be an array", name);
		return -1;
	}
	json_array_foreach(arr, i, lv) {
		size_t k = *nlev / REC_BOOK_LEVELS, j = *nlev % REC_BOOK_LEVELS;
		struct rec_book *b;
		char what[48];

		if (k >= max) {
			snprintf(err, errlen, "book has more than %zu levels",
			    max * REC_BOOK_LEVELS);
			return -1;
		}
		if (!json_is_array(lv) || json_array_size(lv) != 2) {
			snprintf(err, errlen, "%s[%zu] must be [\"price\","
			    "\"qty\"]", name, i);
			return -1;
		}
		b = &recs[k].u.book;
		snprintf(what, sizeof(what), "%s[%zu] price", name, i);
		if (get_dec(json_array_get(lv, 0), what, &b->price[j],
		    &b->price_exp[j], err, errlen) < 0)
			return -1;
		/* tickpipe-json(5): a whole book best first, each price
		   once (a delta's levels are changes, in any order) */
		if (i > 0 && (recs[0].type == REC_BOOK_TOP ||
		    (recs[0].flags & REC_F_SNAPSHOT) != 0) && !level_after(asks, &recs[(*nlev - 1) /
		    REC_BOOK_LEVELS].u.book, (unsigned)((*nlev - 1) %
		    REC_BOOK_LEVELS), b, (unsigned)j)) {
			snprintf(err, errlen, "%s[%zu] price not %s %s[%zu]'s "
			    "(best first, each price once)", name, i, asks ?
			    "above" : "below", name, i - 1);
			return -1;
		}
		snprintf(what, sizeof(what), "%s[%zu] qty", name, i);
		if (get_dec(json_array_get(lv, 1), what, &b->qty[j],
		    &b->qty_exp[j], err, errlen) < 0)
			return -1;
		if (b->qty[j] < 0) {
			snprintf(err, errlen, "%s[%zu] qty is negative", name, i);
			return -1;
		}
		if (asks)
			b->nasks++;
		else
			b->nbids++;
		(*nlev)++;
	}
	return 0;
}

/*
 * get_opt_dec: key holds a decimal string or null (*has 0).  Returns 0,
 * or -1 with the reason in err (also when the key is missing).
 */
static int
get_opt_dec(json_t *o, const char *key, uint8_t *has, int64_t *m, int8_t *e,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*has = 0;
	if (v == NULL) {
		snprintf(err, errlen, "missing key \"%s\"", key);
		return -1;
	}
	if (json_is_null(v))
		return 0;
	if (get_dec(v, key, m, e, err, errlen) < 0)
		return -1;
	*has = 1;
	return 0;
}

/* jsonl_interval_parse: "250ms", "1s", "1m", "1h", "1d" to ms; -1 if not. */
int
jsonl_interval_parse(const char *s, uint64_t *ms)
{
	static const struct { const char *u; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 },
	};
	uint64_t v = 0;
	size_t i = 0;

	while (s[i] >= '0' && s[i] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i++] - '0');
	}
	if (i == 0 || v == 0)
		return -1;
	for (size_t k = 0; k < sizeof(units) / sizeof(*units); k++)
		if (strcmp(s + i, units[k].u) == 0) {
			if (v > (uint64_t)INT64_MAX / 1000000 / units[k].ms)
				return -1;
			*ms = v * units[k].ms;
			return 0;
		}
	return -1;
}

/* A venue name or null; VENUE_UNKNOWN for null.  -1 if neither. */
static int
get_venue(json_t *o, const char *key, uint16_t *id, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || (!json_is_null(v) && !json_is_string(v))) {
		snprintf(err, errlen, "\"%s\" must be a venue name or null",
		    key);
		return -1;
	}
	*id = json_is_null(v) ? 0 : (uint16_t)venue_id(json_string_value(v));
	if (!json_is_null(v) && *id == 0) {
		snprintf(err, errlen, "unknown venue \"%.32s\"",
		    json_string_value(v));
		return -1;
	}
	return 0;
}

/* The payload of a quote, bar or xbest line into h. */
static int
decode_derived(json_t *o, struct tp_record *h, char *err, size_t errlen)
{
	uint8_t has, has2;
	int64_t iv;

	switch (h->type) {
	case REC_QUOTE: {
		struct rec_quote *q = &h->u.quote;

		if (get_opt_dec(o, "bid", &q->has_bid, &q->bid, &q->bid_exp,
		    err, errlen) < 0 || get_opt_dec(o, "bid_qty", &has,
		    &q->bid_qty, &q->bid_qty_exp, err, errlen) < 0 ||
		    get_opt_dec(o, "ask", &q->has_ask, &q->ask, &q->ask_exp,
		    err, errlen) < 0 || get_opt_dec(o, "ask_qty", &has2,
		    &q->ask_qty, &q->ask_qty_exp, err, errlen) < 0)
			return -1;
		if (has != q->has_bid || has2 != q->has_ask) {
			snprintf(err, errlen, "a price without its quantity");
			return -1;
		}
		return 0;
	}
	case REC_BAR: {
		struct rec_bar *b = &h->u.bar;
		json_t *v = json_object_get(o, "interval");
		uint8_t hp[5];

		if (!json_is_string(v) || jsonl_interval_parse(
		    json_string_value(v), &b->interval_ms) < 0) {
			snprintf(err, errlen, "\"interval\" must be like "
			    "\"1s\", \"250ms\", \"1m\", \"1h\"");
			return -1;
		}
		if (get_int(o, "start", 1, 0, &b->start, err, errlen) < 0 ||
		    get_int(o, "end", 1, 0, &b->end, err, errlen) < 0 ||
		    get_int(o, "trades", 1, 0, &iv, err, errlen) < 0)
			return -1;
		b->trades = (uint64_t)iv;
		if (get_opt_dec(o, "open", &hp[0], &b->open, &b->open_exp, err,
		    errlen) < 0 || get_opt_dec(o, "high", &hp[1], &b->high,
		    &b->high_exp, err, errlen) < 0 || get_opt_dec(o, "low",
		    &hp[2], &b->low, &b->low_exp, err, errlen) < 0 ||
		    get_opt_dec(o, "close", &hp[3], &b->close, &b->close_exp,
		    err, errlen) < 0 || get_opt_dec(o, "vwap", &hp[4], &b->vwap,
		    &b->vwap_exp, err, errlen) < 0 || get_opt_dec(o, "volume",
		    &has, &b->volume, &b->volume_exp, err, errlen) < 0 ||
		    !has || get_opt_dec(o, "buy_volume", &has, &b->buy_volume,
		    &b->buy_volume_exp, err, errlen) < 0 || !has ||
		    get_opt_dec(o, "sell_volume", &has, &b->sell_volume,
		    &b->sell_volume_exp, err, errlen) < 0 || !has) {
			if (!has)
				snprintf(err, errlen, "a bar's volumes are "
				    "never null");
			return -1;
		}
		for (int i = 0; i < 5; i++)
			if (hp[i] != (b->trades > 0)) {
				snprintf(err, errlen, "a bar's prices are null "
				    "exactly when it has no trades");
				return -1;
			}
		return 0;
	}
	case REC_XBEST: {
		struct rec_xbest *x = &h->u.xbest;
		json_t *v, *e;
		size_t i;

		if (h->venue != VENUE_ALL) {
			snprintf(err, errlen, "an xbest line's \"venue\" must be "
			    "\"all\", not \"%s\"", venue_name(h->venue));
			return -1;
		}
		if (get_opt_dec(o, "bid", &x->has_bid, &x->bid, &x->bid_exp,
		    err, errlen) < 0 || get_opt_dec(o, "bid_qty", &has,
		    &x->bid_qty, &x->bid_qty_exp, err, errlen) < 0 ||
		    get_opt_dec(o, "ask", &x->has_ask, &x->ask, &x->ask_exp,
		    err, errlen) < 0 || get_opt_dec(o, "ask_qty", &has2,
		    &x->ask_qty, &x->ask_qty_exp, err, errlen) < 0 ||
		    get_venue(o, "bid_venue", &x->bid_venue, err, errlen) < 0 ||
		    get_venue(o, "ask_venue", &x->ask_venue, err, errlen) < 0)
			return -1;
		if (has != x->has_bid || has2 != x->has_ask ||
		    (x->bid_venue != 0) != x->has_bid ||
		    (x->ask_venue != 0) != x->has_ask) {
			snprintf(err, errlen, "a price without its quantity "
			    "or venue");
			return -1;
		}
		v = json_object_get(o, "state");
		if (!json_is_string(v)) {
			snprintf(err, errlen, "\"state\" must be normal, locked "
			    "or crossed");
			return -1;
		}
		for (x->state = 0; x->state <= XB_CROSSED; x->state++)
			if (strcmp(json_string_value(v),
			    xbest_state_name(x->state)) == 0)
				break;
		if (x->state > XB_CROSSED) {
			snprintf(err, errlen, "\"state\" must be normal, locked "
			    "or crossed");
			return -1;
		}
		v = json_object_get(o, "venues");
		if (!json_is_array(v)) {
			snprintf(err, errlen, "\"venues\" must be an array");
			return -1;
		}
		json_array_foreach(v, i, e) {
			unsigned id = json_is_string(e) ?
			    venue_id(json_string_value(e)) : 0;

			if (id == 0 || id == VENUE_ALL) {
				snprintf(err, errlen, "\"venues\"[%zu]: not a "
				    "venue name", i);
				return -1;
			}
			/* the mask holds a venue once: a repeat would be lost */
			if (x->venues >> id & 1u) {
				snprintf(err, errlen, "\"venues\"[%zu]: \"%s\" "
				    "named twice", i, venue_name(id));
				return -1;
			}
			x->venues |= 1u << id;
		}
		v = json_object_get(o, "excluded");
		if (!json_is_array(v)) {
			snprintf(err, errlen, "\"excluded\" must be an array");
			return -1;
		}
		json_array_foreach(v, i, e) {
			json_t *vn = json_object_get(e, "venue");
			json_t *wy = json_object_get(e, "why");
			unsigned id = json_is_string(vn) ?
			    venue_id(json_string_value(vn)) : 0, w;

			for (w = XB_WHY_RESYNC; w <= XB_WHY_DISCONNECTED; w++)
				if (json_is_string(wy) && strcmp(
				    json_string_value(wy), xbest_why_name(w)) == 0)
					break;
			if (id == 0 || id == VENUE_ALL ||
			    w > XB_WHY_DISCONNECTED) {
				snprintf(err, errlen, "\"excluded\"[%zu] must be "
				    "{\"venue\":NAME,\"why\":\"resync\"|"
				    "\"stale\"|\"disconnected\"}", i);
				return -1;
			}
			if (x->excluded >> id & 1u) {
				snprintf(err, errlen, "\"excluded\"[%zu]: \"%s\" "
				    "named twice", i, venue_name(id));
				return -1;
			}
			x->excluded |= 1u << id;
			x->why[id] = (uint8_t)w;
		}
		return 0;
	}
	}
	return 0;
}

int
jsonl_decode(const char *line, size_t len, struct tp_record *recs,
    size_t max, struct jsonl_gap *gap, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o, *v;
	const char *type;
	struct tp_record h;
	int64_t iv;
	size_t n = 1, nlev = 0;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		snprintf(err, errlen, "invalid JSON at column %d: %s",
		    jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(o))
		FAIL("not a JSON object");
	v = json_object_get(o, "type");
	if (v == NULL)
		FAIL("missing key \"type\"");
	if (!json_is_string(v))
		FAIL("\"type\" must be a string");
	type = json_string_value(v);
	if (strcmp(type, "gap") == 0) {
		int64_t from = 0, lost = 0;

		if (get_int(o, "from", 1, 0, &from, err, errlen) < 0 ||
		    get_int(o, "lost", 1, 0, &lost, err, errlen) < 0)
			goto fail;
		v = json_object_get(o, "new_ring");
		if (v != NULL && !json_is_boolean(v))
			FAIL("\"new_ring\" must be true or false");
		if (gap != NULL) {
			gap->from = (uint64_t)from;
			gap->lost = (uint64_t)lost;
			gap->new_ring = v != NULL && json_is_true(v);
		}
		json_decref(o);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	if (strcmp(type, "trade") == 0)
		h.type = REC_TRADE;
	else if (strcmp(type, "book_snapshot") == 0) {
		h.type = REC_BOOK;
		h.flags = REC_F_SNAPSHOT;
	} else if (strcmp(type, "book_delta") == 0)
		h.type = REC_BOOK;
	else if (strcmp(type, "status") == 0)
		h.type = REC_STATUS;
	else if (strcmp(type, "quote") == 0)
		h.type = REC_QUOTE;
	else if (strcmp(type, "book_top") == 0)
		h.type = REC_BOOK_TOP;
	else if (strcmp(type, "bar") == 0)
		h.type = REC_BAR;
	else if (strcmp(type, "xbest") == 0)
		h.type = REC_XBEST;
	else
		FAIL("unknown type \"%.32s\"", type);

	v = json_object_get(o, "venue");
	if (v == NULL)
		FAIL("missing key \"venue\"");
	if (!json_is_string(v))
		FAIL("\"venue\" must be a string");
	if ((h.venue = (uint16_t)venue_id(json_string_value(v))) == 0)
		FAIL("unknown venue \"%.32s\"", json_string_value(v));
	/* tickpipe-ring(5): "all" names records derived across venues */
	if (h.venue == VENUE_ALL && (h.type == REC_TRADE ||
	    h.type == REC_BOOK))
		FAIL("a %s line's \"venue\" may not be \"all\", which names "
		    "records derived across venues", type);
	v = json_object_get(o, "symbol");
	if (v == NULL && h.type != REC_STATUS)
		FAIL("missing key \"symbol\"");
	if (v != NULL) {
		if (!json_is_string(v))
			FAIL("\"symbol\" must be a string");
		if (!rec_symbol_ok(json_string_value(v)))
			FAIL("symbol \"%.32s\": not BASE-QUOTE (A-Z, 0-9, "
			    "3 to 15 characters)", json_string_value(v));
		strcpy(h.symbol, json_string_value(v));
	}
	if (get_int(o, "seq", 0, 0, &iv, err, errlen) < 0)
		goto fail;
	iv = 0;
	if (get_int(o, h.type >= REC_QUOTE ? "src_seq" : "vseq",
	    h.type >= REC_QUOTE, 0, &iv, err, errlen) < 0)
		goto fail;
	h.vseq = (uint64_t)iv;
	if (get_int(o, "ts", 1, 0, &h.ts, err, errlen) < 0 ||
	    get_int(o, "recv", 1, 0, &h.recv, err, errlen) < 0)
		goto fail;

	switch (h.type) {
	case REC_TRADE: {
		struct rec_trade *t = &h.u.trade;

		if ((v = json_object_get(o, "price")) == NULL)
			FAIL("missing key \"price\"");
		if (get_dec(v, "price", &t->price, &t->price_exp, err,
		    errlen) < 0)
			goto fail;
		if ((v = json_object_get(o, "qty")) == NULL)
			FAIL("missing key \"qty\"");
		if (get_dec(v, "qty", &t->qty, &t->qty_exp, err, errlen) < 0)
			goto fail;
		if (t->qty < 0)
			FAIL("\"qty\" is negative");
		if ((v = json_object_get(o, "side")) == NULL)
			FAIL("missing key \"side\"");
		if (!json_is_string(v))
			FAIL("\"side\" must be a string");
		if (strcmp(json_string_value(v), "buy") == 0)
			t->side = SIDE_BUY;
		else if (strcmp(json_string_value(v), "sell") == 0)
			t->side = SIDE_SELL;
		else if (strcmp(json_string_value(v), "unknown") == 0)
			t->side = SIDE_UNKNOWN;
		else
			FAIL("\"side\" must be buy, sell or unknown");
		if ((v = json_object_get(o, "tid")) == NULL)
			FAIL("missing key \"tid\"");
		if (!json_is_string(v))
			FAIL("\"tid\" must be a string");
		if (json_string_length(v) >= REC_TID_LEN ||
		    strlen(json_string_value(v)) != json_string_length(v))
			FAIL("\"tid\" longer than %d bytes or holds NUL",
			    REC_TID_LEN - 1);
		memcpy(t->tid, json_string_value(v), json_string_length(v));
		recs[0] = h;
		break;
	}
	case REC_STATUS: {
		struct rec_status_body *s = &h.u.status;

		if ((v = json_object_get(o, "status")) == NULL)
			FAIL("missing key \"status\"");
		if (!json_is_string(v))
			FAIL("\"status\" must be a string");
		if ((s->code = (uint16_t)status_code(json_string_value(v))) == 0)
			FAIL("unknown status \"%.32s\"", json_string_value(v));
		if ((v = json_object_get(o, "reason")) != NULL) {
			if (!json_is_string(v))
				FAIL("\"reason\" must be a string");
			if (json_string_length(v) >= REC_REASON_LEN ||
			    strlen(json_string_value(v)) !=
			    json_string_length(v))
				FAIL("\"reason\" longer than %d bytes or holds "
				    "NUL", REC_REASON_LEN - 1);
			memcpy(s->reason, json_string_value(v),
			    json_string_length(v));
		}
		recs[0] = h;
		break;
	}
	case REC_QUOTE:
	case REC_BAR:
	case REC_XBEST:
		if (decode_derived(o, &h, err, errlen) < 0)
			goto fail;
		if (jsonl_check(&h, 1, err, errlen) < 0)
			goto fail;
		recs[0] = h;
		break;
	case REC_BOOK_TOP:
	case REC_BOOK: {
		json_t *bids = json_object_get(o, "bids");
		json_t *asks = json_object_get(o, "asks");

		if (bids == NULL || asks == NULL)
			FAIL("missing key \"%s\"", bids == NULL ? "bids" :
			    "asks");
		iv = 0;
		if (h.type == REC_BOOK && get_int(o, "vfirst", 0, 0, &iv, err,
		    errlen) < 0)
			goto fail;
		h.aux = (uint64_t)iv;
		if (h.type == REC_BOOK_TOP) {
			int64_t d = 0, t = 0;

			if (get_int(o, "depth", 1, 1, &d, err, errlen) < 0 ||
			    get_int(o, "interval_ms", 1, 1, &t, err,
			    errlen) < 0)
				goto fail;
			if (d > UINT16_MAX || t > UINT32_MAX)
				FAIL("\"depth\" or \"interval_ms\" out of range");
			h.u.top.depth = (uint16_t)d;
			h.u.top.interval_ms = (uint32_t)t;
		}
		if (max == 0)
			FAIL("no room for records");
		for (size_t k = 0; k < max && k < JSONL_MAX_RECS; k++) {
			if (k * REC_BOOK_LEVELS >= json_array_size(bids) +
			    json_array_size(asks) && k > 0)
				break;
			recs[k] = h;
		}
		if (max > JSONL_MAX_RECS)
			max = JSONL_MAX_RECS;
		if (decode_side(bids, "bids", 0, recs, max, &nlev, err,
		    errlen) < 0 ||
		    decode_side(asks, "asks", 1, recs, max, &nlev, err,
		    errlen) < 0)
			goto fail;
		n = nlev == 0 ? 1 : (nlev + REC_BOOK_LEVELS - 1) /
		    REC_BOOK_LEVELS;
		for (size_t k = 0; k < n; k++) {
			if (h.type == REC_BOOK_TOP) {
				recs[k].u.top.depth = h.u.top.depth;
				recs[k].u.top.interval_ms = h.u.top.interval_ms;
			}
			recs[k].flags = h.flags;
			if (k > 0)
				recs[k].flags &= (uint16_t)~REC_F_SNAPSHOT;
		}
		recs[0].flags |= REC_F_START | (h.flags & REC_F_SNAPSHOT);
		recs[n - 1].flags |= REC_F_LAST;
		if (h.type == REC_BOOK_TOP && check_top_depth(recs, n, err,
		    errlen) < 0)
			goto fail;
		/*
		 * what shmreader would print of it, read back (jsonl_check):
		 * measured with the widest seq and recv the ring may give it
		 */
		if (JSONL_BUFSIZE(n) > (size_t)JSONL_MAX_LINE + 1) {
			uint64_t seq = recs[0].seq;
			int64_t recv = recs[0].recv;
			int rc;

			recs[0].seq = INT64_MAX;
			recs[0].recv = INT64_MAX;
			rc = line_fits(recs, n, 0, err, errlen);
			recs[0].seq = seq;
			recs[0].recv = recv;
			if (rc < 0)
				goto fail;
		}
		break;
	}
	}
	json_decref(o);
	return (int)n;
fail:
	json_decref(o);
	return -1;
}
