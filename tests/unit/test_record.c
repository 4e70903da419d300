/*
 * test_record.c: the 256-byte record (common/record.h).  The byte layout
 * is a public interface (rings, captures, tickpipe-ring(5)): these tests
 * pin every offset, recompute the layout hash independently from the
 * documented table, and check the name tables and symbol validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"

/* The layout as tickpipe-ring(5) documents it: name, offset, size. */
static const struct {
	const char	*name;
	uint64_t	 off, size;
} doc_layout[] = {
	{ "seq", 0, 8 }, { "type", 8, 2 }, { "flags", 10, 2 },
	{ "venue", 12, 2 }, { "symbol", 16, 16 }, { "ts", 32, 8 },
	{ "recv", 40, 8 }, { "vseq", 48, 8 }, { "aux", 56, 8 },
	{ "trade.price", 64, 8 }, { "trade.qty", 72, 8 },
	{ "trade.price_exp", 80, 1 }, { "trade.qty_exp", 81, 1 },
	{ "trade.side", 82, 1 }, { "trade.tid", 88, 48 },
	{ "book.price", 64, 80 }, { "book.qty", 144, 80 },
	{ "book.price_exp", 224, 10 }, { "book.qty_exp", 234, 10 },
	{ "book.nbids", 244, 1 }, { "book.nasks", 245, 1 },
	{ "status.code", 64, 2 }, { "status.reason", 72, 128 },
	/* the derived types (deriver(1)) */
	{ "quote.bid", 64, 8 },
	{ "quote.bid_qty", 72, 8 },
	{ "quote.ask", 80, 8 },
	{ "quote.ask_qty", 88, 8 },
	{ "quote.bid_exp", 96, 1 },
	{ "quote.bid_qty_exp", 97, 1 },
	{ "quote.ask_exp", 98, 1 },
	{ "quote.ask_qty_exp", 99, 1 },
	{ "quote.has_bid", 100, 1 },
	{ "quote.has_ask", 101, 1 },
	{ "top.price", 64, 80 },
	{ "top.qty", 144, 80 },
	{ "top.price_exp", 224, 10 },
	{ "top.qty_exp", 234, 10 },
	{ "top.nbids", 244, 1 },
	{ "top.nasks", 245, 1 },
	{ "top.depth", 246, 2 },
	{ "top.interval_ms", 248, 4 },
	{ "bar.start", 64, 8 },
	{ "bar.end", 72, 8 },
	{ "bar.interval_ms", 80, 8 },
	{ "bar.trades", 88, 8 },
	{ "bar.open", 96, 8 },
	{ "bar.high", 104, 8 },
	{ "bar.low", 112, 8 },
	{ "bar.close", 120, 8 },
	{ "bar.vwap", 128, 8 },
	{ "bar.volume", 136, 8 },
	{ "bar.buy_volume", 144, 8 },
	{ "bar.sell_volume", 152, 8 },
	{ "bar.open_exp", 160, 1 },
	{ "bar.high_exp", 161, 1 },
	{ "bar.low_exp", 162, 1 },
	{ "bar.close_exp", 163, 1 },
	{ "bar.vwap_exp", 164, 1 },
	{ "bar.volume_exp", 165, 1 },
	{ "bar.buy_volume_exp", 166, 1 },
	{ "bar.sell_volume_exp", 167, 1 },
	{ "xbest.bid", 64, 8 },
	{ "xbest.bid_qty", 72, 8 },
	{ "xbest.ask", 80, 8 },
	{ "xbest.ask_qty", 88, 8 },
	{ "xbest.bid_exp", 96, 1 },
	{ "xbest.bid_qty_exp", 97, 1 },
	{ "xbest.ask_exp", 98, 1 },
	{ "xbest.ask_qty_exp", 99, 1 },
	{ "xbest.has_bid", 100, 1 },
	{ "xbest.has_ask", 101, 1 },
	{ "xbest.bid_venue", 102, 2 },
	{ "xbest.ask_venue", 104, 2 },
	{ "xbest.state", 106, 1 },
	{ "xbest.venues", 108, 4 },
	{ "xbest.excluded", 112, 4 },
	{ "xbest.why", 116, 32 },
};
#define NDOC	(sizeof(doc_layout) / sizeof(*doc_layout))

/*
 * The value rings built from this layout carry (before the ring mixes in
 * its header size).  Changing it makes every existing ring and capture
 * unreadable: change it only together with the layout, tickpipe-ring(5)
 * and RING_VERSION.
 */
#define FROZEN_LAYOUT_HASH	0xd0114018c5bdcc0fULL

static void
record_is_four_cache_lines(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct tp_record), 256);
	assert_int_equal(REC_SIZE, 256);
	assert_int_equal(_Alignof(struct tp_record), 8);
	assert_int_equal(offsetof(struct tp_record, u), 64);
	assert_int_equal(sizeof(((struct tp_record *)0)->u), 192);
}

static void
offsets_match_the_documented_layout(void **state)
{
	struct tp_record r;
	const unsigned char *base = (const unsigned char *)&r;
	const struct {
		const void	*p;
		size_t		 size;
	} actual[] = {
		{ &r.seq, sizeof(r.seq) }, { &r.type, sizeof(r.type) },
		{ &r.flags, sizeof(r.flags) }, { &r.venue, sizeof(r.venue) },
		{ r.symbol, sizeof(r.symbol) }, { &r.ts, sizeof(r.ts) },
		{ &r.recv, sizeof(r.recv) }, { &r.vseq, sizeof(r.vseq) },
		{ &r.aux, sizeof(r.aux) },
		{ &r.u.trade.price, 8 }, { &r.u.trade.qty, 8 },
		{ &r.u.trade.price_exp, 1 }, { &r.u.trade.qty_exp, 1 },
		{ &r.u.trade.side, 1 },
		{ r.u.trade.tid, sizeof(r.u.trade.tid) },
		{ r.u.book.price, sizeof(r.u.book.price) },
		{ r.u.book.qty, sizeof(r.u.book.qty) },
		{ r.u.book.price_exp, sizeof(r.u.book.price_exp) },
		{ r.u.book.qty_exp, sizeof(r.u.book.qty_exp) },
		{ &r.u.book.nbids, 1 }, { &r.u.book.nasks, 1 },
		{ &r.u.status.code, sizeof(r.u.status.code) },
		{ r.u.status.reason, sizeof(r.u.status.reason) },
		{ &r.u.quote.bid, sizeof(r.u.quote.bid) },
		{ &r.u.quote.bid_qty, sizeof(r.u.quote.bid_qty) },
		{ &r.u.quote.ask, sizeof(r.u.quote.ask) },
		{ &r.u.quote.ask_qty, sizeof(r.u.quote.ask_qty) },
		{ &r.u.quote.bid_exp, sizeof(r.u.quote.bid_exp) },
		{ &r.u.quote.bid_qty_exp, sizeof(r.u.quote.bid_qty_exp) },
		{ &r.u.quote.ask_exp, sizeof(r.u.quote.ask_exp) },
		{ &r.u.quote.ask_qty_exp, sizeof(r.u.quote.ask_qty_exp) },
		{ &r.u.quote.has_bid, sizeof(r.u.quote.has_bid) },
		{ &r.u.quote.has_ask, sizeof(r.u.quote.has_ask) },
		{ r.u.top.price, sizeof(r.u.top.price) },
		{ r.u.top.qty, sizeof(r.u.top.qty) },
		{ r.u.top.price_exp, sizeof(r.u.top.price_exp) },
		{ r.u.top.qty_exp, sizeof(r.u.top.qty_exp) },
		{ &r.u.top.nbids, sizeof(r.u.top.nbids) },
		{ &r.u.top.nasks, sizeof(r.u.top.nasks) },
		{ &r.u.top.depth, sizeof(r.u.top.depth) },
		{ &r.u.top.interval_ms, sizeof(r.u.top.interval_ms) },
		{ &r.u.bar.start, sizeof(r.u.bar.start) },
		{ &r.u.bar.end, sizeof(r.u.bar.end) },
		{ &r.u.bar.interval_ms, sizeof(r.u.bar.interval_ms) },
		{ &r.u.bar.trades, sizeof(r.u.bar.trades) },
		{ &r.u.bar.open, sizeof(r.u.bar.open) },
		{ &r.u.bar.high, sizeof(r.u.bar.high) },
		{ &r.u.bar.low, sizeof(r.u.bar.low) },
		{ &r.u.bar.close, sizeof(r.u.bar.close) },
		{ &r.u.bar.vwap, sizeof(r.u.bar.vwap) },
		{ &r.u.bar.volume, sizeof(r.u.bar.volume) },
		{ &r.u.bar.buy_volume, sizeof(r.u.bar.buy_volume) },
		{ &r.u.bar.sell_volume, sizeof(r.u.bar.sell_volume) },
		{ &r.u.bar.open_exp, sizeof(r.u.bar.open_exp) },
		{ &r.u.bar.high_exp, sizeof(r.u.bar.high_exp) },
		{ &r.u.bar.low_exp, sizeof(r.u.bar.low_exp) },
		{ &r.u.bar.close_exp, sizeof(r.u.bar.close_exp) },
		{ &r.u.bar.vwap_exp, sizeof(r.u.bar.vwap_exp) },
		{ &r.u.bar.volume_exp, sizeof(r.u.bar.volume_exp) },
		{ &r.u.bar.buy_volume_exp, sizeof(r.u.bar.buy_volume_exp) },
		{ &r.u.bar.sell_volume_exp, sizeof(r.u.bar.sell_volume_exp) },
		{ &r.u.xbest.bid, sizeof(r.u.xbest.bid) },
		{ &r.u.xbest.bid_qty, sizeof(r.u.xbest.bid_qty) },
		{ &r.u.xbest.ask, sizeof(r.u.xbest.ask) },
		{ &r.u.xbest.ask_qty, sizeof(r.u.xbest.ask_qty) },
		{ &r.u.xbest.bid_exp, sizeof(r.u.xbest.bid_exp) },
		{ &r.u.xbest.bid_qty_exp, sizeof(r.u.xbest.bid_qty_exp) },
		{ &r.u.xbest.ask_exp, sizeof(r.u.xbest.ask_exp) },
		{ &r.u.xbest.ask_qty_exp, sizeof(r.u.xbest.ask_qty_exp) },
		{ &r.u.xbest.has_bid, sizeof(r.u.xbest.has_bid) },
		{ &r.u.xbest.has_ask, sizeof(r.u.xbest.has_ask) },
		{ &r.u.xbest.bid_venue, sizeof(r.u.xbest.bid_venue) },
		{ &r.u.xbest.ask_venue, sizeof(r.u.xbest.ask_venue) },
		{ &r.u.xbest.state, sizeof(r.u.xbest.state) },
		{ &r.u.xbest.venues, sizeof(r.u.xbest.venues) },
		{ &r.u.xbest.excluded, sizeof(r.u.xbest.excluded) },
		{ r.u.xbest.why, sizeof(r.u.xbest.why) },
	};

	(void)state;
	assert_int_equal(sizeof(actual) / sizeof(*actual), NDOC);
	for (size_t i = 0; i < NDOC; i++) {
		size_t off = (size_t)((const unsigned char *)actual[i].p - base);

		if (off != doc_layout[i].off || actual[i].size !=
		    doc_layout[i].size)
			fail_msg("%s: documented at %llu size %llu, is at %zu "
			    "size %zu", doc_layout[i].name,
			    (unsigned long long)doc_layout[i].off,
			    (unsigned long long)doc_layout[i].size, off,
			    actual[i].size);
		/* every field lies inside the record */
		assert_true(doc_layout[i].off + doc_layout[i].size <= REC_SIZE);
	}
	/* book: 10 levels, nbids + nasks fit in u8 */
	assert_int_equal(REC_BOOK_LEVELS, 10);
}

static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

static void
layout_hash_is_fnv1a_of_the_documented_table(void **state)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	(void)state;
	/*
	 * Per field: its name, then offset, size and record size as
	 * little-endian 64-bit words (how record.c hashes size_t on LP64).
	 */
	for (size_t i = 0; i < NDOC; i++) {
		unsigned char w[24];
		uint64_t v[3] = { doc_layout[i].off, doc_layout[i].size,
		    REC_SIZE };

		for (int k = 0; k < 3; k++)
			for (int b = 0; b < 8; b++)
				w[k * 8 + b] = (unsigned char)(v[k] >> (8 * b));
		h = fnv_bytes(h, doc_layout[i].name, strlen(doc_layout[i].name));
		h = fnv_bytes(h, w, sizeof(w));
	}
	assert_int_equal(rec_layout_hash(), h);
}

static void
layout_hash_is_frozen(void **state)
{
	(void)state;
	assert_int_equal(rec_layout_hash(), rec_layout_hash());
	if (rec_layout_hash() != FROZEN_LAYOUT_HASH)
		fail_msg("layout hash changed: 0x%016llx, frozen 0x%016llx "
		    "(existing rings and captures become unreadable)",
		    (unsigned long long)rec_layout_hash(),
		    FROZEN_LAYOUT_HASH);
}

static void
print_layout_lists_every_field_with_offset(void **state)
{
	char *buf = NULL, line[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	rec_print_layout(f);
	fclose(f);
	snprintf(line, sizeof(line), "layout hash 0x%016llx",
	    (unsigned long long)rec_layout_hash());
	assert_non_null(strstr(buf, line));
	for (size_t i = 0; i < NDOC; i++) {
		char want[64];
		const char *p = buf;
		int found = 0;

		snprintf(want, sizeof(want), "\n%s ", doc_layout[i].name);
		while ((p = strstr(p, want)) != NULL) {
			char name[32];
			unsigned long off, size;

			if (sscanf(p + 1, "%31s %lu %lu", name, &off, &size) ==
			    3 && off == doc_layout[i].off &&
			    size == doc_layout[i].size)
				found = 1;
			p++;
		}
		if (!found)
			fail_msg("--layout lacks \"%s %llu %llu\":\n%s",
			    doc_layout[i].name,
			    (unsigned long long)doc_layout[i].off,
			    (unsigned long long)doc_layout[i].size, buf);
	}
	free(buf);
}

static void
venue_ids_are_stable_and_names_round_trip(void **state)
{
	static const char *const names[] = {
		"unknown", "sim", "coinbase", "kraken", "binance", "bybit",
		"okx", "sim2", "sim3", "all",
	};

	(void)state;
	assert_int_equal(VENUE_MAX, 10);
	for (unsigned i = 1; i < VENUE_MAX; i++) {
		assert_string_equal(venue_name(i), names[i]);
		assert_int_equal(venue_id(names[i]), i);
	}
	assert_string_equal(venue_name(0), "unknown");
	assert_string_equal(venue_name(VENUE_MAX), "unknown");
	assert_string_equal(venue_name(65535), "unknown");
	assert_int_equal(venue_id("unknown"), VENUE_UNKNOWN);
	assert_int_equal(venue_id("SIM"), VENUE_UNKNOWN);
	assert_int_equal(venue_id(""), VENUE_UNKNOWN);
	assert_int_equal(venue_id("nasdaq"), VENUE_UNKNOWN);
}

static void
status_and_side_names_round_trip(void **state)
{
	static const char *const st[] = { NULL, "connected", "disconnected",
	    "resync", "checksum", "sequence", "info" };

	(void)state;
	for (unsigned i = 1; i <= ST_INFO; i++) {
		assert_string_equal(status_name(i), st[i]);
		assert_int_equal(status_code(st[i]), i);
	}
	assert_string_equal(status_name(0), "unknown");
	assert_string_equal(status_name(ST_INFO + 1), "unknown");
	assert_int_equal(status_code("unknown"), 0);
	assert_int_equal(status_code("CONNECTED"), 0);
	assert_string_equal(side_name(SIDE_BUY), "buy");
	assert_string_equal(side_name(SIDE_SELL), "sell");
	assert_string_equal(side_name(SIDE_UNKNOWN), "unknown");
	assert_string_equal(side_name(9), "unknown");
}

static void
symbols_must_be_base_dash_quote(void **state)
{
	static const char *const good[] = {
		"BTC-USD", "ETH-USDT", "A-B", "1INCH-USD", "SHIB-EUR",
		"ABCDEFG-HIJKLMN",	/* 15 characters */
	};
	static const char *const bad[] = {
		"", "BTCUSD", "BTC-", "-USD", "btc-usd", "BTC-USD-X",
		"BTC--USD", "BTC_USD", "BTC USD", "BTC/USD", "AB",
		"ABCDEFGH-IJKLMNO",	/* 16 characters: no room for NUL */
		"BTC-USDé",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!rec_symbol_ok(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (rec_symbol_ok(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_is_four_cache_lines),
		cmocka_unit_test(offsets_match_the_documented_layout),
		cmocka_unit_test(layout_hash_is_fnv1a_of_the_documented_table),
		cmocka_unit_test(layout_hash_is_frozen),
		cmocka_unit_test(print_layout_lists_every_field_with_offset),
		cmocka_unit_test(venue_ids_are_stable_and_names_round_trip),
		cmocka_unit_test(status_and_side_names_round_trip),
		cmocka_unit_test(symbols_must_be_base_dash_quote),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
