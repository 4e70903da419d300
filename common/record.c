/*
 * record.c: names of venues, sides and status codes; the record layout
 * table behind rec_layout_hash() and `shmreader --layout`.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "record.h"

static const char *const venue_names[VENUE_MAX] = {
	"unknown", "sim", "coinbase", "kraken", "binance", "bybit", "okx",
	"sim2", "sim3", "all",
};

const char *
venue_name(unsigned id)
{
	return id < VENUE_MAX ? venue_names[id] : "unknown";
}

unsigned
venue_id(const char *name)
{
	for (unsigned i = 1; i < VENUE_MAX; i++)
		if (strcmp(name, venue_names[i]) == 0)
			return i;
	return VENUE_UNKNOWN;
}

const char *
side_name(unsigned side)
{
	return side == SIDE_BUY ? "buy" : side == SIDE_SELL ? "sell" :
	    "unknown";
}

static const char *const status_names[] = {
	NULL, "connected", "disconnected", "resync", "checksum", "sequence",
	"info",
};

const char *
status_name(unsigned code)
{
	if (code == 0 || code >= sizeof(status_names) / sizeof(*status_names))
		return "unknown";
	return status_names[code];
}

unsigned
status_code(const char *name)
{
	for (unsigned i = 1; i < sizeof(status_names) / sizeof(*status_names);
	    i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return 0;
}

const char *
xbest_state_name(unsigned state)
{
	return state == XB_LOCKED ? "locked" : state == XB_CROSSED ?
	    "crossed" : "normal";
}

const char *
xbest_why_name(unsigned why)
{
	return why == XB_WHY_RESYNC ? "resync" : why == XB_WHY_STALE ?
	    "stale" : why == XB_WHY_DISCONNECTED ? "disconnected" : "none";
}

#define F(type, field, tname) { #field, offsetof(struct tp_record, field), \
	sizeof(((struct tp_record *)0)->field), tname }
#define P(ptype, member, field, tname) { #member "." #field, \
	offsetof(struct tp_record, u) + offsetof(ptype, field), \
	sizeof(((ptype *)0)->field), tname }

static const struct {
	const char	*name;
	size_t		 off, size;
	const char	*type;
} layout[] = {
	F(0, seq, "u64"), F(0, type, "u16"), F(0, flags, "u16"),
	F(0, venue, "u16"), F(0, symbol, "char[16]"), F(0, ts, "i64"),
	F(0, recv, "i64"), F(0, vseq, "u64"), F(0, aux, "u64"),
	P(struct rec_trade, trade, price, "i64"),
	P(struct rec_trade, trade, qty, "i64"),
	P(struct rec_trade, trade, price_exp, "i8"),
	P(struct rec_trade, trade, qty_exp, "i8"),
	P(struct rec_trade, trade, side, "u8"),
	P(struct rec_trade, trade, tid, "char[48]"),
	P(struct rec_book, book, price, "i64[10]"),
	P(struct rec_book, book, qty, "i64[10]"),
	P(struct rec_book, book, price_exp, "i8[10]"),
	P(struct rec_book, book, qty_exp, "i8[10]"),
	P(struct rec_book, book, nbids, "u8"),
	P(struct rec_book, book, nasks, "u8"),
	P(struct rec_status_body, status, code, "u16"),
	P(struct rec_status_body, status, reason, "char[128]"),
	P(struct rec_quote, quote, bid, "i64"),
	P(struct rec_quote, quote, bid_qty, "i64"),
	P(struct rec_quote, quote, ask, "i64"),
	P(struct rec_quote, quote, ask_qty, "i64"),
	P(struct rec_quote, quote, bid_exp, "i8"),
	P(struct rec_quote, quote, bid_qty_exp, "i8"),
	P(struct rec_quote, quote, ask_exp, "i8"),
	P(struct rec_quote, quote, ask_qty_exp, "i8"),
	P(struct rec_quote, quote, has_bid, "u8"),
	P(struct rec_quote, quote, has_ask, "u8"),
	P(struct rec_top, top, price, "i64[10]"),
	P(struct rec_top, top, qty, "i64[10]"),
	P(struct rec_top, top, price_exp, "i8[10]"),
	P(struct rec_top, top, qty_exp, "i8[10]"),
	P(struct rec_top, top, nbids, "u8"),
	P(struct rec_top, top, nasks, "u8"),
	P(struct rec_top, top, depth, "u16"),
	P(struct rec_top, top, interval_ms, "u32"),
	P(struct rec_bar, bar, start, "i64"),
	P(struct rec_bar, bar, end, "i64"),
	P(struct rec_bar, bar, interval_ms, "u64"),
	P(struct rec_bar, bar, trades, "u64"),
	P(struct rec_bar, bar, open, "i64"),
	P(struct rec_bar, bar, high, "i64"),
	P(struct rec_bar, bar, low, "i64"),
	P(struct rec_bar, bar, close, "i64"),
	P(struct rec_bar, bar, vwap, "i64"),
	P(struct rec_bar, bar, volume, "i64"),
	P(struct rec_bar, bar, buy_volume, "i64"),
	P(struct rec_bar, bar, sell_volume, "i64"),
	P(struct rec_bar, bar, open_exp, "i8"),
	P(struct rec_bar, bar, high_exp, "i8"),
	P(struct rec_bar, bar, low_exp, "i8"),
	P(struct rec_bar, bar, close_exp, "i8"),
	P(struct rec_bar, bar, vwap_exp, "i8"),
	P(struct rec_bar, bar, volume_exp, "i8"),
	P(struct rec_bar, bar, buy_volume_exp, "i8"),
	P(struct rec_bar, bar, sell_volume_exp, "i8"),
	P(struct rec_xbest, xbest, bid, "i64"),
	P(struct rec_xbest, xbest, bid_qty, "i64"),
	P(struct rec_xbest, xbest, ask, "i64"),
	P(struct rec_xbest, xbest, ask_qty, "i64"),
	P(struct rec_xbest, xbest, bid_exp, "i8"),
	P(struct rec_xbest, xbest, bid_qty_exp, "i8"),
	P(struct rec_xbest, xbest, ask_exp, "i8"),
	P(struct rec_xbest, xbest, ask_qty_exp, "i8"),
	P(struct rec_xbest, xbest, has_bid, "u8"),
	P(struct rec_xbest, xbest, has_ask, "u8"),
	P(struct rec_xbest, xbest, bid_venue, "u16"),
	P(struct rec_xbest, xbest, ask_venue, "u16"),
	P(struct rec_xbest, xbest, state, "u8"),
	P(struct rec_xbest, xbest, venues, "u32"),
	P(struct rec_xbest, xbest, excluded, "u32"),
	P(struct rec_xbest, xbest, why, "u8[32]"),
};

uint64_t
rec_layout_hash(void)
{
	uint64_t h = FNV1A64_INIT;
	size_t vals[3];

	for (size_t i = 0; i < sizeof(layout) / sizeof(*layout); i++) {
		vals[0] = layout[i].off;
		vals[1] = layout[i].size;
		vals[2] = REC_SIZE;
		h = fnv1a64(h, layout[i].name, strlen(layout[i].name));
		h = fnv1a64(h, vals, sizeof(vals));
	}
	return h;
}

void
rec_print_layout(FILE *f)
{
	fprintf(f, "record size %d bytes, layout hash 0x%016llx\n", REC_SIZE,
	    (unsigned long long)rec_layout_hash());
	fprintf(f, "%-16s %6s %5s  %s\n", "field", "offset", "size", "type");
	for (size_t i = 0; i < sizeof(layout) / sizeof(*layout); i++)
		fprintf(f, "%-16s %6zu %5zu  %s\n", layout[i].name,
		    layout[i].off, layout[i].size, layout[i].type);
}

int
rec_symbol_ok(const char *s)
{
	size_t n = strlen(s), dash = 0;

	if (n < 3 || n >= REC_SYMBOL_LEN || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			dash++;
		else if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return dash == 1;
}
