/*
 * test_derive.c: the derived streams' engine (deriver/derive.h) alone:
 * VWAP rounds half to even, exactly, at 4 decimals past the finest
 * price; volumes are exact sums keeping the finest exponent; a bar
 * without trades has no prices; one whose sums do not fit is said in a
 * status, not written; a book_top of more than 10 levels a
 * side spans several records from START to LAST.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dec.h"
#include "derive.h"
#include "jsonl.h"

static struct tp_record out[64][8];
static size_t outn[64], nout;

static void
collect_cb(void *arg, struct tp_record *recs, size_t n)
{
	(void)arg;
	assert_true(nout < 64 && n <= 8);
	memcpy(out[nout], recs, n * sizeof(*recs));
	outn[nout++] = n;
}

static struct derive *
engine(const char *top, uint64_t bar_ms)
{
	struct derive_config c;
	struct derive *d;

	memset(&c, 0, sizeof(c));
	if (top != NULL) {
		c.ntops = 1;
		sscanf(top, "%hu:%u", &c.top_depth[0], &c.top_ms[0]);
	}
	if (bar_ms != 0) {
		c.nbars = 1;
		c.bar_ms[0] = bar_ms;
	}
	nout = 0;
	d = derive_new(&c, collect_cb, NULL);
	assert_non_null(d);
	return d;
}

static void
trade(struct derive *d, int64_t ts, const char *p, const char *q,
    unsigned side)
{
	struct tp_record r;

	memset(&r, 0, sizeof(r));
	r.type = REC_TRADE;
	r.venue = VENUE_SIM;
	strcpy(r.symbol, "BTC-USD");
	r.ts = r.recv = ts;
	r.seq = (uint64_t)ts;
	assert_int_equal(dec_parse(p, strlen(p), &r.u.trade.price,
	    &r.u.trade.price_exp), DEC_OK);
	assert_int_equal(dec_parse(q, strlen(q), &r.u.trade.qty,
	    &r.u.trade.qty_exp), DEC_OK);
	r.u.trade.side = (uint8_t)side;
	assert_int_equal(derive_msg(d, &r, 1), 0);
}

/* The n-th output line, as shmreader prints it. */
static const char *
line(size_t i)
{
	static char buf[JSONL_BUFSIZE(8)];
	size_t n;

	assert_true(i < nout);
	n = jsonl_encode(out[i], outn[i], buf);
	buf[n - 1] = '\0';
	return buf;
}

static void
expect_in(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("\"%s\" not in %s", want, s);
}

static void
vwap_rounds_half_to_even(void **state)
{
	struct derive *d = engine(NULL, 1);

	(void)state;
	/* 20001 / 20000 = 1.00005: a tie, to the even 1.0000 */
	trade(d, 1000000, "1", "19999", SIDE_BUY);
	trade(d, 1000001, "2", "1", SIDE_SELL);
	/* 20003 / 20000 = 1.00015: a tie, to the even 1.0002 */
	trade(d, 3000000, "1", "19997", SIDE_BUY);
	trade(d, 3000001, "2", "3", SIDE_UNKNOWN);
	/* 1.00 x 2 + 1.05 x 1 = 3.05 / 3 = 1.016666..: 1.016667 */
	trade(d, 5000000, "1.00", "2", SIDE_BUY);
	trade(d, 5000001, "1.05", "1", SIDE_BUY);
	trade(d, 7000000, "1", "1", SIDE_BUY);
	assert_int_equal(nout, 6);
	expect_in(line(0), "\"trades\":2,\"open\":\"1\",\"high\":\"2\","
	    "\"low\":\"1\",\"close\":\"2\",\"volume\":\"20000\","
	    "\"buy_volume\":\"19999\",\"sell_volume\":\"1\","
	    "\"vwap\":\"1.0000\"");
	expect_in(line(1), "\"start\":2000000,\"end\":3000000,\"trades\":0,"
	    "\"open\":null,\"high\":null,\"low\":null,\"close\":null,"
	    "\"volume\":\"0\",\"buy_volume\":\"0\",\"sell_volume\":\"0\","
	    "\"vwap\":null");
	expect_in(line(2), "\"volume\":\"20000\",\"buy_volume\":\"19997\","
	    "\"sell_volume\":\"0\",\"vwap\":\"1.0002\"");
	expect_in(line(4), "\"vwap\":\"1.016667\"");
	derive_free(d);
}

static void
volumes_keep_the_finest_exponent(void **state)
{
	struct derive *d = engine(NULL, 1);

	(void)state;
	trade(d, 1000000, "65000.10", "0.5", SIDE_BUY);
	trade(d, 1000001, "65000.1", "0.250", SIDE_BUY);
	trade(d, 1000002, "65000.2", "1e-8", SIDE_SELL);
	trade(d, 2000000, "1", "1", SIDE_BUY);
	assert_int_equal(nout, 1);
	/* the first of equal highs; sums exact to 1e-8 */
	expect_in(line(0), "\"open\":\"65000.10\",\"high\":\"65000.2\","
	    "\"low\":\"65000.10\",\"close\":\"65000.2\","
	    "\"volume\":\"0.75000001\",\"buy_volume\":\"0.750\","
	    "\"sell_volume\":\"0.00000001\"");
	derive_free(d);
}

static void
a_bar_too_large_is_said_not_written(void **state)
{
	struct derive *d = engine(NULL, 1);

	(void)state;
	/* 18000000000000000002: no trailing zero to move into the
	   exponent, past 2^63 - 1 (1.8e19, with its zeros, is stored) */
	trade(d, 1000000, "1", "9000000000000000001", SIDE_BUY);
	trade(d, 1000001, "1", "9000000000000000001", SIDE_BUY);
	trade(d, 2000000, "1", "1", SIDE_BUY);
	assert_int_equal(nout, 1);
	expect_in(line(0), "\"type\":\"status\"");
	expect_in(line(0), "\"reason\":\"deriver: bar of 1ms from 1000000 "
	    "not emitted: its volumes do not fit\"");
	assert_int_equal(derive_stats(d)->overflow, 1);
	derive_free(d);
}

static void
book_top_spans_records(void **state)
{
	struct derive *d = engine("15:1", 0);
	struct tp_record r[3];

	(void)state;
	memset(r, 0, sizeof(r));
	for (int k = 0; k < 3; k++) {
		r[k].type = REC_BOOK;
		r[k].venue = VENUE_SIM;
		strcpy(r[k].symbol, "BTC-USD");
		r[k].ts = r[k].recv = 1000000;
	}
	/* 12 bids, 12 asks: 3 records of 10, 10, 4 levels */
	for (int i = 0; i < 24; i++) {
		struct rec_book *b = &r[i / 10].u.book;

		b->price[i % 10] = i < 12 ? 1000 - i : 1001 + (i - 12);
		b->qty[i % 10] = 1;
		if (i < 12)
			b->nbids++;
		else
			b->nasks++;
	}
	r[0].flags = REC_F_START | REC_F_SNAPSHOT;
	r[2].flags = REC_F_LAST;
	assert_int_equal(derive_msg(d, r, 3), 0);
	r[0].ts = 2000000;
	r[0].flags = REC_F_START | REC_F_LAST;
	memset(&r[0].u, 0, sizeof(r[0].u));
	assert_int_equal(derive_msg(d, r, 1), 0);
	/* no quotes nor xbest asked for: the top of the first ms */
	assert_int_equal(nout, 1);
	assert_int_equal(out[0][0].type, REC_BOOK_TOP);
	assert_int_equal(outn[0], 3);
	assert_int_equal(out[0][0].flags, REC_F_START);
	assert_int_equal(out[0][1].flags, 0);
	assert_int_equal(out[0][2].flags, REC_F_LAST);
	expect_in(line(0), "\"depth\":15,\"interval_ms\":1,\"bids\":[[\"1000\","
	    "\"1\"],[\"999\",\"1\"]");
	expect_in(line(0), "[\"989\",\"1\"]],\"asks\":[[\"1001\",\"1\"]");
	derive_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vwap_rounds_half_to_even),
		cmocka_unit_test(volumes_keep_the_finest_exponent),
		cmocka_unit_test(a_bar_too_large_is_said_not_written),
		cmocka_unit_test(book_top_spans_records),
	};

	return cmocka_run_group_tests_name("derive", tests, NULL, NULL);
}
