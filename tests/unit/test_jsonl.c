/*
 * test_jsonl.c: the JSONL codec (common/jsonl.h, tickpipe-json(5)).
 * Every type encodes to the documented line, key order fixed, and
 * decodes back to the same records; multi-record books are joined and
 * split again with the right flags; every kind of bad line is rejected
 * with a reason naming what is wrong.  jsonl_check refuses every record
 * that would print as a line the decoder rejects, and jsonl_msg joins a
 * reader's records into messages, dropping each malformed or unfinished
 * one with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dec.h"
#include "jsonl.h"

static struct tp_record recs[JSONL_MAX_RECS], back[JSONL_MAX_RECS];
static char buf[JSONL_BUFSIZE(JSONL_MAX_RECS) + 64];
static char err[256];

static void
head(struct tp_record *r, unsigned type, const char *sym, uint64_t seq)
{
	memset(r, 0, sizeof(*r));
	r->type = (uint16_t)type;
	r->venue = VENUE_SIM;
	if (sym != NULL)
		strcpy(r->symbol, sym);
	r->seq = seq;
	r->vseq = 99;
	r->ts = 1700000000000000000LL;
	r->recv = 1700000000000100000LL;
}

static void
set_dec(int64_t *m, int8_t *e, const char *s)
{
	assert_int_equal(dec_parse(s, strlen(s), m, e), DEC_OK);
}

/* Encodes recs[0..n), checks the line, decodes it into back[]. */
static int
encode_decode(size_t n, const char *want_line)
{
	size_t len = jsonl_encode(recs, n, buf);
	int got;

	assert_true(len > 0 && buf[len - 1] == '\n');
	buf[len] = '\0';
	if (want_line != NULL) {
		assert_int_equal(len, strlen(want_line) + 1);
		assert_memory_equal(buf, want_line, len - 1);
	}
	memset(back, 0, sizeof(back));
	got = jsonl_decode(buf, len - 1, back, JSONL_MAX_RECS, NULL, err,
	    sizeof(err));
	if (got < 0)
		fail_msg("decode of own output failed: %s\n%s", err, buf);
	return got;
}

/* The decoder does not keep ring sequences: compare without them. */
static void
assert_same_records(size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct tp_record a = recs[k], b = back[k];

		a.seq = b.seq = 0;
		if (memcmp(&a, &b, sizeof(a)) != 0)
			fail_msg("record %zu differs after decode", k);
	}
}

static void
trade_encodes_to_the_documented_line_and_back(void **state)
{
	struct rec_trade *t = &recs[0].u.trade;

	(void)state;
	head(&recs[0], REC_TRADE, "BTC-USD", 12);
	set_dec(&t->price, &t->price_exp, "100.50");
	set_dec(&t->qty, &t->qty_exp, "0.0010");
	t->side = SIDE_BUY;
	strcpy(t->tid, "42");
	assert_int_equal(encode_decode(1, "{\"type\":\"trade\",\"venue\":\"sim\","
	    "\"symbol\":\"BTC-USD\",\"seq\":12,\"vseq\":99,"
	    "\"ts\":1700000000000000000,\"recv\":1700000000000100000,"
	    "\"price\":\"100.50\",\"qty\":\"0.0010\",\"side\":\"buy\","
	    "\"tid\":\"42\"}"), 1);
	assert_same_records(1);
	assert_int_equal(back[0].seq, 0);
}

static void
trade_strings_are_escaped_and_survive(void **state)
{
	struct rec_trade *t = &recs[0].u.trade;

	(void)state;
	head(&recs[0], REC_TRADE, "ETH-USDT", 1);
	recs[0].venue = VENUE_BINANCE;
	set_dec(&t->price, &t->price_exp, "0.00001230");
	set_dec(&t->qty, &t->qty_exp, "1.5e-7");
	t->side = SIDE_SELL;
	strcpy(t->tid, "a\"b\\c\td\x01\x7f" "é");
	assert_int_equal(encode_decode(1, NULL), 1);
	assert_non_null(strstr(buf, "\"price\":\"0.00001230\""));
	assert_non_null(strstr(buf, "\"qty\":\"0.00000015\""));
	assert_non_null(strstr(buf,
	    "\"tid\":\"a\\\"b\\\\c\\u0009d\\u0001\\u007fé\""));
	assert_same_records(1);
	/* a tid of the full 47 bytes */
	memset(t->tid, 'x', REC_TID_LEN - 1);
	t->tid[REC_TID_LEN - 1] = '\0';
	assert_int_equal(encode_decode(1, NULL), 1);
	assert_same_records(1);
}

/* Fills a book message of nb bids and na asks over as many records. */
static size_t
make_book(int snapshot, unsigned nb, unsigned na)
{
	size_t nlev = nb + na, n = nlev == 0 ? 1 : (nlev + 9) / 10;

	for (size_t k = 0; k < n; k++) {
		head(&recs[k], REC_BOOK, "SOL-USD", 100 + k);
		recs[k].vseq = 5000;
		recs[k].flags = (uint16_t)((k == 0 ? REC_F_START : 0) |
		    (k == n - 1 ? REC_F_LAST : 0) |
		    (k == 0 && snapshot ? REC_F_SNAPSHOT : 0));
	}
	for (unsigned i = 0; i < nlev; i++) {
		struct rec_book *b = &recs[i / 10].u.book;
		unsigned j = i % 10;
		int ask = i >= nb;
		unsigned lvl = ask ? i - nb : i;

		b->price[j] = ask ? 10051 + lvl : 10049 - lvl;
		b->price_exp[j] = -2;
		b->qty[j] = lvl % 3 == 0 ? 0 : 15 + lvl;
		b->qty_exp[j] = lvl % 3 == 0 ? 0 : -1;
		if (ask)
			b->nasks++;
		else
			b->nbids++;
	}
	return n;
}

static void
book_snapshot_spanning_records_is_one_line(void **state)
{
	size_t n;

	(void)state;
	n = make_book(1, 25, 13);	/* 38 levels: 4 records */
	assert_int_equal(n, 4);
	assert_int_equal(encode_decode(n, NULL), 4);
	assert_int_equal(strncmp(buf, "{\"type\":\"book_snapshot\","
	    "\"venue\":\"sim\",\"symbol\":\"SOL-USD\",\"seq\":100,"
	    "\"vseq\":5000,", 71), 0);
	assert_non_null(strstr(buf, "\"bids\":[[\"100.49\",\"0\"],"
	    "[\"100.48\",\"1.6\"],[\"100.47\",\"1.7\"],[\"100.46\",\"0\"],"));
	assert_non_null(strstr(buf, "\"asks\":[[\"100.51\",\"0\"],"));
	assert_non_null(strstr(buf, "[\"100.62\",\"2.6\"],"
	    "[\"100.63\",\"0\"]]}\n"));
	/* one line: no newline before the end */
	assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);
	assert_same_records(n);
	assert_int_equal(back[0].flags, REC_F_START | REC_F_SNAPSHOT);
	assert_int_equal(back[1].flags, 0);
	assert_int_equal(back[3].flags, REC_F_LAST);
	assert_int_equal(back[2].u.book.nbids, 5);
	assert_int_equal(back[2].u.book.nasks, 5);
}

static void
book_delta_and_empty_sides(void **state)
{
	size_t n;

	(void)state;
	n = make_book(0, 1, 0);
	assert_int_equal(encode_decode(n, NULL), 1);
	assert_non_null(strstr(buf, "{\"type\":\"book_delta\","));
	assert_non_null(strstr(buf, ",\"bids\":[[\"100.49\",\"0\"]],"
	    "\"asks\":[]}"));
	assert_same_records(1);
	assert_int_equal(back[0].flags, REC_F_START | REC_F_LAST);

	n = make_book(0, 0, 0);
	assert_int_equal(encode_decode(n, NULL), 1);
	assert_non_null(strstr(buf, ",\"bids\":[],\"asks\":[]}"));
	assert_same_records(1);

	n = make_book(1, 10, 10);	/* exactly two full records */
	assert_int_equal(encode_decode(n, NULL), 2);
	assert_same_records(2);
	assert_int_equal(back[0].u.book.nbids, 10);
	assert_int_equal(back[0].u.book.nasks, 0);
	assert_int_equal(back[1].u.book.nasks, 10);
}

static void
book_first_update_id_round_trips(void **state)
{
	size_t n;

	(void)state;
	n = make_book(0, 3, 2);
	recs[0].aux = 4990;
	assert_int_equal(encode_decode(n, NULL), 1);
	assert_non_null(strstr(buf, ",\"vseq\":5000,\"ts\":"));
	assert_non_null(strstr(buf, ",\"vfirst\":4990,\"bids\":"));
	assert_same_records(1);
}

static void
largest_book_fits_the_buffer_bound(void **state)
{
	size_t n, len, nlev = JSONL_MAX_RECS * REC_BOOK_LEVELS;

	(void)state;
	n = make_book(1, (unsigned)nlev / 2, (unsigned)nlev / 2);
	assert_int_equal(n, JSONL_MAX_RECS);
	/*
	 * widest decimals the decoder accepts: 20 characters to exponent
	 * -60, then 19 digits and 60 zeros; the prices as wide, each side
	 * best first, each price once (tickpipe-json(5))
	 */
	for (int x = 0; x < 2; x++) {
		int e = x == 0 ? DEC_EXP_MIN : DEC_EXP_MAX;

		for (size_t k = 0; k < n; k++)
			for (int j = 0; j < REC_BOOK_LEVELS; j++) {
				size_t g = k * REC_BOOK_LEVELS + (size_t)j;

				recs[k].u.book.price[j] = INT64_MIN + (int64_t)
				    (g < nlev / 2 ? nlev / 2 - g : g);
				recs[k].u.book.price_exp[j] = (int8_t)e;
				recs[k].u.book.qty[j] = INT64_MAX;
				recs[k].u.book.qty_exp[j] = (int8_t)e;
			}
		memset(buf, 0x5a, sizeof(buf));
		len = jsonl_encode(recs, n, buf);
		assert_true(len <= JSONL_BUFSIZE(n));
		assert_int_equal((unsigned char)buf[JSONL_BUFSIZE(n)], 0x5a);
		/*
		 * a line over the 1 MiB collector jsonl reads: decode and
		 * check refuse it, saying how long it prints
		 * (tickpipe-json(5))
		 */
		assert_true(len - 1 > JSONL_MAX_LINE);
		assert_int_equal(jsonl_decode(buf, len - 1, back,
		    JSONL_MAX_RECS, NULL, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "a book message that prints as a "
		    "line of"));
		assert_int_equal(jsonl_check(recs, n, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "longer than 1048576"));
	}
}

/*
 * A positive exponent prints as plain zeros and reads back as the same
 * mantissa and exponent: "1e19" and "1e60" are prices like any other.
 */
static void
positive_exponents_round_trip(void **state)
{
	struct rec_trade *t = &recs[0].u.trade;

	(void)state;
	head(&recs[0], REC_TRADE, "BTC-USD", 3);
	set_dec(&t->price, &t->price_exp, "1e19");
	set_dec(&t->qty, &t->qty_exp, "1e60");
	assert_int_equal(t->price_exp, 1);
	assert_int_equal(t->qty_exp, 42);
	strcpy(t->tid, "x");
	assert_int_equal(encode_decode(1, NULL), 1);
	assert_non_null(strstr(buf, "\"price\":\"10000000000000000000\","));
	assert_non_null(strstr(buf, "\"qty\":\"1000000000000000000000000000000"
	    "000000000000000000000000000000\","));
	assert_same_records(1);
	/* a ring may hold a pair dec_parse would fold: same value back */
	t->price = 5;
	t->price_exp = 3;
	assert_int_equal(encode_decode(1, NULL), 1);
	assert_non_null(strstr(buf, "\"price\":\"5000\","));
	assert_int_equal(back[0].u.trade.price, 5000);
	assert_int_equal(back[0].u.trade.price_exp, 0);
	/* and a zero with any exponent prints as "0" */
	t->qty = 0;
	t->qty_exp = 17;
	assert_int_equal(encode_decode(1, NULL), 1);
	assert_non_null(strstr(buf, "\"qty\":\"0\","));
}

static void
status_with_and_without_symbol(void **state)
{
	(void)state;
	head(&recs[0], REC_STATUS, "BTC-USD", 14);
	recs[0].venue = VENUE_COINBASE;
	recs[0].vseq = 0;
	recs[0].u.status.code = ST_RESYNC;
	strcpy(recs[0].u.status.reason, "sequence gap 5 -> 7");
	assert_int_equal(encode_decode(1, "{\"type\":\"status\","
	    "\"venue\":\"coinbase\",\"symbol\":\"BTC-USD\",\"seq\":14,"
	    "\"vseq\":0,\"ts\":1700000000000000000,"
	    "\"recv\":1700000000000100000,\"status\":\"resync\","
	    "\"reason\":\"sequence gap 5 -> 7\"}"), 1);
	assert_same_records(1);

	head(&recs[0], REC_STATUS, NULL, 15);
	recs[0].venue = VENUE_KRAKEN;
	recs[0].u.status.code = ST_DISCONNECTED;
	assert_int_equal(encode_decode(1, "{\"type\":\"status\","
	    "\"venue\":\"kraken\",\"seq\":15,\"vseq\":99,"
	    "\"ts\":1700000000000000000,\"recv\":1700000000000100000,"
	    "\"status\":\"disconnected\",\"reason\":\"\"}"), 1);
	assert_same_records(1);

	for (unsigned c = ST_CONNECTED; c <= ST_INFO; c++) {
		recs[0].u.status.code = (uint16_t)c;
		assert_int_equal(encode_decode(1, NULL), 1);
		assert_same_records(1);
	}
}

static void	rejects(const char *, const char *);
static void	check_accepts(size_t);

static void
gap_line_round_trips(void **state)
{
	struct jsonl_gap g = { 1000, 250, 0 }, g2 = { 0, 0, 1 };
	char line[128];
	size_t len;

	(void)state;
	len = jsonl_encode_gap(&g, line);
	assert_int_equal(len, strlen("{\"type\":\"gap\",\"from\":1000,"
	    "\"lost\":250}\n"));
	assert_memory_equal(line, "{\"type\":\"gap\",\"from\":1000,"
	    "\"lost\":250}\n", len);
	assert_int_equal(jsonl_decode(line, len - 1, back, 1, &g2, err,
	    sizeof(err)), 0);
	assert_int_equal(g2.from, 1000);
	assert_int_equal(g2.lost, 250);
	assert_int_equal(g2.new_ring, 0);
	/* gap without a place to put it is still recognised */
	assert_int_equal(jsonl_decode(line, len - 1, back, 1, NULL, err,
	    sizeof(err)), 0);
	/* a new ring: "new_ring":true, even with nothing lost */
	g.lost = 0;
	g.new_ring = 1;
	len = jsonl_encode_gap(&g, line);
	assert_memory_equal(line, "{\"type\":\"gap\",\"from\":1000,"
	    "\"lost\":0,\"new_ring\":true}\n", len);
	assert_int_equal(jsonl_decode(line, len - 1, back, 1, &g2, err,
	    sizeof(err)), 0);
	assert_int_equal(g2.lost, 0);
	assert_int_equal(g2.new_ring, 1);
	rejects("{\"type\":\"gap\",\"from\":1,\"lost\":0,\"new_ring\":1}",
	    "new_ring");
}

/* Decoding s must fail with a reason containing want. */
static void
rejects(const char *s, const char *want)
{
	int rc;

	err[0] = '\0';
	rc = jsonl_decode(s, strlen(s), back, JSONL_MAX_RECS, NULL, err,
	    sizeof(err));
	if (rc != -1)
		fail_msg("accepted (%d): %s", rc, s);
	if (strstr(err, want) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\" for: %s", err, want, s);
}

#define T_HEAD	"{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\"," \
		"\"seq\":1,\"vseq\":2,\"ts\":3,\"recv\":4,"
#define T_TAIL	"\"qty\":\"1\",\"side\":\"buy\",\"tid\":\"t\"}"
#define B_HEAD	"{\"type\":\"book_delta\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\"," \
		"\"seq\":1,\"vseq\":2,\"ts\":3,\"recv\":4,"
#define S_HEAD	"{\"type\":\"book_snapshot\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\"," \
		"\"seq\":1,\"vseq\":2,\"ts\":3,\"recv\":4,"

static void
valid_baselines_are_accepted(void **state)
{
	static const char *const ok[] = {
		T_HEAD "\"price\":\"1\"," T_TAIL,
		B_HEAD "\"bids\":[[\"1\",\"2\"]],\"asks\":[]}",
		"{\"type\":\"status\",\"venue\":\"okx\",\"ts\":3,\"recv\":4,"
		    "\"status\":\"info\"}",
		/* key order and white space do not matter to the decoder */
		" { \"venue\" : \"bybit\" , \"type\" : \"trade\", \"symbol\":"
		    "\"BTC-USD\",\"ts\":3,\"recv\":4,\"price\":\"1e2\","
		    T_TAIL,
	};

	(void)state;
	/* the rejection tests below mutate these; they must pass as is */
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (jsonl_decode(ok[i], strlen(ok[i]), back, JSONL_MAX_RECS,
		    NULL, err, sizeof(err)) != 1)
			fail_msg("refused (%s): %s", err, ok[i]);
	assert_int_equal(back[0].venue, VENUE_BYBIT);
	assert_int_equal(back[0].u.trade.price, 100);
	assert_int_equal(back[0].u.trade.price_exp, 0);
}

static void
malformed_json_is_rejected_with_column(void **state)
{
	(void)state;
	rejects("", "invalid JSON");
	rejects("{", "invalid JSON");
	rejects("{\"type\":\"trade\",}", "invalid JSON at column");
	rejects(T_HEAD "\"price\":\"1\"," T_TAIL " x", "invalid JSON");
	rejects(T_HEAD "\"price\":\"1\"," T_TAIL "{}", "invalid JSON");
	rejects("{\"type\":'trade'}", "invalid JSON");
	rejects("[1,2]", "not a JSON object");
	rejects("\"trade\"", "invalid JSON");	/* jansson: no bare values */
	rejects("42", "invalid JSON");
	rejects("null", "invalid JSON");
	rejects("{\"type\":\"trade\",\"type\":\"trade\"}", "duplicate");
	rejects("{\"type\":\"tr\xff" "ade\"}", "invalid JSON");
	rejects("{\"type\":\"trade\"\x00}", "invalid JSON");
}

static void
wrong_types_are_rejected_naming_the_key(void **state)
{
	(void)state;
	rejects("{\"type\":1}", "\"type\" must be a string");
	rejects("{\"type\":\"trade\",\"venue\":1}", "\"venue\" must be a string");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":[]}",
	    "\"symbol\" must be a string");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"seq\":\"1\",\"ts\":3,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "\"seq\" must be an integer");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"vseq\":1.5,\"ts\":3,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "\"vseq\" must be an integer");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"ts\":3.0,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "\"ts\" must be an integer");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"ts\":3,\"recv\":null,\"price\":\"1\"," T_TAIL,
	    "\"recv\" must be an integer");
	rejects(T_HEAD "\"price\":100.5," T_TAIL,
	    "price must be a string holding a decimal");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":true,\"side\":\"buy\","
	    "\"tid\":\"t\"}", "qty must be a string");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"side\":1,"
	    "\"tid\":\"t\"}", "\"side\" must be a string");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"side\":\"buy\","
	    "\"tid\":42}", "\"tid\" must be a string");
	rejects(B_HEAD "\"bids\":{},\"asks\":[]}", "\"bids\" must be an array");
	rejects(B_HEAD "\"bids\":[],\"asks\":\"x\"}",
	    "\"asks\" must be an array");
	rejects(B_HEAD "\"bids\":[[\"1\"]],\"asks\":[]}",
	    "bids[0] must be [\"price\",\"qty\"]");
	rejects(B_HEAD "\"bids\":[[\"1\",\"2\"],[\"1\",\"2\",\"3\"]],"
	    "\"asks\":[]}", "bids[1] must be");
	rejects(B_HEAD "\"bids\":[],\"asks\":[\"1\"]}", "asks[0] must be");
	rejects(B_HEAD "\"bids\":[[1,\"2\"]],\"asks\":[]}",
	    "bids[0] price must be a string");
	rejects(B_HEAD "\"bids\":[],\"asks\":[[\"1\",2]]}",
	    "asks[0] qty must be a string");
	rejects(B_HEAD "\"vfirst\":\"7\",\"bids\":[],\"asks\":[]}",
	    "\"vfirst\" must be an integer");
	rejects("{\"type\":\"status\",\"venue\":\"sim\",\"ts\":3,\"recv\":4,"
	    "\"status\":3}", "\"status\" must be a string");
	rejects("{\"type\":\"status\",\"venue\":\"sim\",\"ts\":3,\"recv\":4,"
	    "\"status\":\"info\",\"reason\":[]}", "\"reason\" must be a string");
	rejects("{\"type\":\"gap\",\"from\":\"1\",\"lost\":2}",
	    "\"from\" must be an integer");
}

static void
missing_keys_are_rejected_naming_the_key(void **state)
{
	(void)state;
	rejects("{}", "missing key \"type\"");
	rejects("{\"venue\":\"sim\"}", "missing key \"type\"");
	rejects("{\"type\":\"trade\",\"symbol\":\"BTC-USD\"}",
	    "missing key \"venue\"");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"ts\":3,\"recv\":4,"
	    "\"price\":\"1\"," T_TAIL, "missing key \"symbol\"");
	rejects("{\"type\":\"book_snapshot\",\"venue\":\"sim\",\"ts\":3,"
	    "\"recv\":4,\"bids\":[],\"asks\":[]}", "missing key \"symbol\"");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"recv\":4,\"price\":\"1\"," T_TAIL, "missing key \"ts\"");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"ts\":4,\"price\":\"1\"," T_TAIL, "missing key \"recv\"");
	rejects(T_HEAD T_TAIL, "missing key \"price\"");
	rejects(T_HEAD "\"price\":\"1\",\"side\":\"buy\",\"tid\":\"t\"}",
	    "missing key \"qty\"");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"tid\":\"t\"}",
	    "missing key \"side\"");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"side\":\"buy\"}",
	    "missing key \"tid\"");
	rejects(B_HEAD "\"asks\":[]}", "missing key \"bids\"");
	rejects(B_HEAD "\"bids\":[]}", "missing key \"asks\"");
	rejects("{\"type\":\"status\",\"venue\":\"sim\",\"ts\":3,\"recv\":4}",
	    "missing key \"status\"");
	rejects("{\"type\":\"gap\",\"lost\":2}", "missing key \"from\"");
	rejects("{\"type\":\"gap\",\"from\":2}", "missing key \"lost\"");
}

static void
bad_decimals_are_rejected_with_the_text(void **state)
{
	(void)state;
	rejects(T_HEAD "\"price\":\"abc\"," T_TAIL,
	    "price \"abc\": not a decimal number");
	rejects(T_HEAD "\"price\":\"\"," T_TAIL, "not a decimal number");
	rejects(T_HEAD "\"price\":\" 1\"," T_TAIL, "not a decimal number");
	rejects(T_HEAD "\"price\":\"1.\"," T_TAIL, "not a decimal number");
	rejects(T_HEAD "\"price\":\"NaN\"," T_TAIL, "not a decimal number");
	rejects(T_HEAD "\"price\":\"99999999999999999999\"," T_TAIL,
	    "price \"99999999999999999999\": out of range");
	rejects(T_HEAD "\"price\":\"1e99\"," T_TAIL, "out of range");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1e-61\",\"side\":\"buy\","
	    "\"tid\":\"t\"}", "qty \"1e-61\": out of range");
	rejects(B_HEAD "\"bids\":[[\"1\",\"x\"]],\"asks\":[]}",
	    "bids[0] qty \"x\": not a decimal number");
	rejects(B_HEAD "\"bids\":[],\"asks\":[[\"1\",\"2\"],"
	    "[\"1e100\",\"2\"]]}", "asks[1] price \"1e100\": out of range");
	rejects(B_HEAD "\"bids\":[[\"1\",\"-2\"]],\"asks\":[]}",
	    "bids[0] qty is negative");
}

static void
unknown_names_and_bad_symbols_are_rejected(void **state)
{
	(void)state;
	rejects("{\"type\":\"quotes\",\"venue\":\"sim\"}",
	    "unknown type \"quotes\"");
	rejects("{\"type\":\"trade\",\"venue\":\"nasdaq\"}",
	    "unknown venue \"nasdaq\"");
	rejects("{\"type\":\"trade\",\"venue\":\"unknown\"}",
	    "unknown venue \"unknown\"");
	rejects("{\"type\":\"trade\",\"venue\":\"SIM\"}", "unknown venue");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"btc-usd\"}",
	    "symbol \"btc-usd\": not BASE-QUOTE");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTCUSD\"}",
	    "not BASE-QUOTE");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\","
	    "\"symbol\":\"ABCDEFGH-IJKLMNOP\"}", "not BASE-QUOTE");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"\"}",
	    "not BASE-QUOTE");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"side\":\"bid\","
	    "\"tid\":\"t\"}", "\"side\" must be buy, sell or unknown");
	rejects("{\"type\":\"status\",\"venue\":\"sim\",\"ts\":3,\"recv\":4,"
	    "\"status\":\"exploded\"}", "unknown status \"exploded\"");
}

static void
out_of_range_numbers_are_rejected(void **state)
{
	(void)state;
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"ts\":-1,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "\"ts\" out of range");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"seq\":-5,\"ts\":1,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "\"seq\" out of range");
	rejects("{\"type\":\"trade\",\"venue\":\"sim\",\"symbol\":\"BTC-USD\","
	    "\"ts\":99999999999999999999,\"recv\":4,\"price\":\"1\"," T_TAIL,
	    "invalid JSON");
	rejects("{\"type\":\"gap\",\"from\":1,\"lost\":-2}",
	    "\"lost\" out of range");
}

static void
overlong_strings_are_rejected(void **state)
{
	char line[1024], tid[REC_TID_LEN + 1], reason[REC_REASON_LEN + 1];

	(void)state;
	memset(tid, 'x', REC_TID_LEN);
	tid[REC_TID_LEN] = '\0';
	snprintf(line, sizeof(line), T_HEAD "\"price\":\"1\",\"qty\":\"1\","
	    "\"side\":\"buy\",\"tid\":\"%s\"}", tid);
	rejects(line, "\"tid\" longer than 47 bytes");
	memset(reason, 'r', REC_REASON_LEN);
	reason[REC_REASON_LEN] = '\0';
	snprintf(line, sizeof(line), "{\"type\":\"status\",\"venue\":\"sim\","
	    "\"ts\":3,\"recv\":4,\"status\":\"info\",\"reason\":\"%s\"}",
	    reason);
	rejects(line, "\"reason\" longer than 127 bytes");
}

static void
embedded_nul_is_rejected(void **state)
{
	(void)state;
	/* "\u0000" must not cut a name short, letting the rest through */
	rejects("{\"type\":\"trade\",\"venue\":\"sim\","
	    "\"symbol\":\"BTC-USD\\u0000junk\",\"ts\":3,\"recv\":4,"
	    "\"price\":\"1\"," T_TAIL, "\\u0000 is not allowed");
	rejects("{\"type\":\"trade\\u0000x\",\"venue\":\"sim\","
	    "\"symbol\":\"BTC-USD\",\"ts\":3,\"recv\":4,"
	    "\"price\":\"1\"," T_TAIL, "invalid JSON");
	rejects(T_HEAD "\"price\":\"1\",\"qty\":\"1\",\"side\":\"buy\","
	    "\"tid\":\"a\\u0000b\"}", "invalid JSON");
}

static void
books_larger_than_the_room_given_are_rejected(void **state)
{
	char *line;
	size_t cap = 64 * 1024, len;
	int rc;

	(void)state;
	/* 11 levels need 2 records: with room for 1 it must fail cleanly */
	line = malloc(cap);
	assert_non_null(line);
	len = (size_t)snprintf(line, cap, B_HEAD "\"bids\":[");
	for (int i = 0; i < 11; i++)
		len += (size_t)snprintf(line + len, cap - len, "%s[\"%d\",\"1\"]",
		    i ? "," : "", 100 - i);
	len += (size_t)snprintf(line + len, cap - len, "],\"asks\":[]}");
	rc = jsonl_decode(line, len, back, 1, NULL, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "more than 10 levels"));
	rc = jsonl_decode(line, len, back, 2, NULL, err, sizeof(err));
	assert_int_equal(rc, 2);
	assert_int_equal(back[0].u.book.nbids, 10);
	assert_int_equal(back[1].u.book.nbids, 1);
	assert_int_equal(back[1].flags, REC_F_LAST);
	free(line);
}

/*
 * Each side of a book message is best first, each price once
 * (tickpipe-json(5)): decode refuses a line whose levels are not, and
 * check a message, across its records too.
 */
static void
book_levels_out_of_order_are_refused(void **state)
{
	char why[256] = "";
	size_t n;

	(void)state;
	rejects(S_HEAD "\"bids\":[[\"100\",\"1\"],[\"101\",\"1\"]],"
	    "\"asks\":[]}", "bids[1] price not below bids[0]'s (best first, "
	    "each price once)");
	rejects(S_HEAD "\"bids\":[],\"asks\":[[\"101\",\"1\"],"
	    "[\"102\",\"1\"],[\"100\",\"0\"]]}", "asks[2] price not above "
	    "asks[1]'s");
	/* the same price by value: one level named twice */
	rejects(S_HEAD "\"bids\":[[\"100.5\",\"1\"],[\"100.50\",\"2\"]],"
	    "\"asks\":[]}", "bids[1] price not below bids[0]'s");
	/* a delta's levels are changes, in any order */
	n = make_book(0, 2, 0);
	recs[0].u.book.price[1] = recs[0].u.book.price[0] + 1;
	check_accepts(n);
	/* the sides are ordered apart: a crossed book is the venue's */
	n = make_book(1, 2, 0);
	recs[0].u.book.nasks = 1;
	recs[0].u.book.price[2] = 10000;
	recs[0].u.book.price_exp[2] = -2;
	recs[0].u.book.qty[2] = 1;
	check_accepts(n);

	n = make_book(1, 12, 3);	/* bids cross into the second record */
	recs[1].u.book.price[0] = recs[0].u.book.price[9];
	assert_int_equal(jsonl_check(recs, n, why, sizeof(why)), -1);
	assert_string_equal(why, "seq 101: level 0 bid price not below the "
	    "one before it (best first, each price once)");
	n = make_book(1, 2, 3);
	recs[0].u.book.price[4] = recs[0].u.book.price[2] - 1;
	assert_int_equal(jsonl_check(recs, n, why, sizeof(why)), -1);
	assert_string_equal(why, "seq 100: level 4 ask price not above the "
	    "one before it (best first, each price once)");
	recs[0].type = REC_BOOK_TOP;
	recs[0].u.top.depth = 5;
	recs[0].u.top.interval_ms = 100;
	assert_int_equal(jsonl_check(recs, n, why, sizeof(why)), -1);
	assert_string_equal(why, "seq 100: level 4 ask price not above the "
	    "one before it (best first, each price once)");
}

/* A valid trade, status or one-record book in recs[0]. */
static void
valid(unsigned type)
{
	head(&recs[0], type, "BTC-USD", 7);
	switch (type) {
	case REC_TRADE:
		set_dec(&recs[0].u.trade.price, &recs[0].u.trade.price_exp, "1.5");
		set_dec(&recs[0].u.trade.qty, &recs[0].u.trade.qty_exp, "2");
		recs[0].u.trade.side = SIDE_SELL;
		strcpy(recs[0].u.trade.tid, "t1");
		break;
	case REC_STATUS:
		recs[0].u.status.code = ST_INFO;
		strcpy(recs[0].u.status.reason, "hello");
		break;
	case REC_BOOK:
		make_book(1, 2, 3);
		recs[0].seq = 7;
		break;
	}
}

/* jsonl_check must refuse recs[0] with a reason holding want. */
static void
check_refuses(const char *want)
{
	char why[256] = "";

	if (jsonl_check(recs, 1, why, sizeof(why)) == 0)
		fail_msg("accepted, expected \"%s\"", want);
	if (strstr(why, want) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, want);
}

/* jsonl_check must accept recs[0..n), and the line must read back. */
static void
check_accepts(size_t n)
{
	char why[256];

	if (jsonl_check(recs, n, why, sizeof(why)) != 0)
		fail_msg("refused: %s", why);
	(void)encode_decode(n, NULL);
}

/*
 * Every field that would print as a line collector jsonl rejects makes
 * jsonl_check refuse the record, naming the field.
 */
static void
check_refuses_what_decode_would_reject(void **state)
{
	(void)state;
	valid(REC_TRADE);
	check_accepts(1);
	recs[0].type = 9;
	check_refuses("seq 7: record type 9 unknown");
	valid(REC_TRADE);
	recs[0].venue = 0;
	check_refuses("venue id 0 unknown");
	recs[0].venue = VENUE_MAX;
	check_refuses("unknown");
	/* tickpipe-ring(5): "all" names records derived across venues */
	recs[0].venue = VENUE_ALL;
	check_refuses("seq 7: trade record of venue all");
	valid(REC_BOOK);
	recs[0].venue = VENUE_ALL;
	check_refuses("seq 7: book record of venue all");
	valid(REC_STATUS);
	recs[0].venue = VENUE_ALL;	/* the deriver's own */
	check_accepts(1);
	valid(REC_TRADE);
	memset(recs[0].symbol, 0, sizeof(recs[0].symbol));
	check_refuses("trade without a symbol");
	strcpy(recs[0].symbol, "btc-usd");
	check_refuses("symbol \"btc-usd\" not BASE-QUOTE");
	memcpy(recs[0].symbol, "ABCDEFGH-IJKLMNO", 16);	/* no NUL */
	check_refuses("not BASE-QUOTE");
	strcpy(recs[0].symbol, "BTC-\xc3\xa9\x01");
	check_refuses("symbol \"BTC-??\x3f\" not BASE-QUOTE");
	valid(REC_TRADE);
	recs[0].u.trade.price_exp = 61;
	check_refuses("price exponent 61 outside -60 to 60");
	recs[0].u.trade.price_exp = -128;
	check_refuses("price exponent -128");
	valid(REC_TRADE);
	recs[0].u.trade.qty = -1;
	check_refuses("qty is negative");
	valid(REC_TRADE);
	memset(recs[0].u.trade.tid, 'x', REC_TID_LEN);
	check_refuses("tid has no NUL in its 48 bytes");
	valid(REC_TRADE);
	recs[0].vseq = (uint64_t)INT64_MAX + 1;
	check_refuses("vseq 9223372036854775808 above 2^63 - 1");
	valid(REC_TRADE);
	recs[0].ts = -1;
	check_refuses("ts -1 negative");
	valid(REC_TRADE);
	recs[0].recv = -5;
	check_refuses("recv -5 negative");
	valid(REC_TRADE);
	check_accepts(1);
	recs[1] = recs[0];
	assert_int_equal(jsonl_check(recs, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a trade message of 2 records"));

	valid(REC_STATUS);
	check_accepts(1);
	memset(recs[0].symbol, 0, sizeof(recs[0].symbol));
	check_accepts(1);	/* a status about a whole venue */
	recs[0].u.status.code = 0;
	check_refuses("status code 0 unknown");
	recs[0].u.status.code = 999;
	check_refuses("status code 999 unknown");
	valid(REC_STATUS);
	memset(recs[0].u.status.reason, 'r', REC_REASON_LEN);
	check_refuses("reason has no NUL in its 128 bytes");

	valid(REC_BOOK);
	check_accepts(1);
	recs[0].aux = UINT64_MAX;
	check_refuses("aux 18446744073709551615 above 2^63 - 1");
	valid(REC_BOOK);
	recs[0].u.book.nbids = 8;
	check_refuses("seq 7: nbids 8 + nasks 3 is more than 10 levels");
	valid(REC_BOOK);
	recs[0].u.book.qty_exp[4] = -61;
	check_refuses("level 4 qty exponent -61");
	valid(REC_BOOK);
	recs[0].u.book.qty[1] = -3;
	check_refuses("level 1 qty is negative");
	valid(REC_BOOK);
	memset(recs[0].symbol, 0, sizeof(recs[0].symbol));
	check_refuses("book record without a symbol");
}

/*
 * What jsonl_check lets through prints as a line that reads back:
 * unknown side codes print "unknown", bytes of text that is not UTF-8
 * print as '?', control characters as \u00XX, levels past nbids + nasks
 * are not printed.
 */
static void
check_accepts_what_prints_readably(void **state)
{
	struct rec_trade *t = &recs[0].u.trade;

	(void)state;
	valid(REC_TRADE);
	t->side = 7;
	check_accepts(1);
	assert_non_null(strstr(buf, "\"side\":\"unknown\""));
	assert_int_equal(back[0].u.trade.side, SIDE_UNKNOWN);
	strcpy(t->tid, "a\xff\xc3\xa9\x1f");	/* not UTF-8 as a whole */
	check_accepts(1);
	assert_non_null(strstr(buf, "\"tid\":\"a???\\u001f\""));
	assert_string_equal(back[0].u.trade.tid, "a???\x1f");
	strcpy(t->tid, "\xc3\xa9");		/* UTF-8: kept */
	check_accepts(1);
	assert_string_equal(back[0].u.trade.tid, "\xc3\xa9");
	valid(REC_BOOK);
	recs[0].u.book.price_exp[9] = 99;	/* not a level: ignored */
	check_accepts(1);
	assert_int_equal(back[0].u.book.nasks, 3);
	assert_int_equal(back[0].u.book.price_exp[9], 0);
}

/* Feeds recs[i] to m; asserts the result code. */
static void
add_expect(struct jsonl_msg *m, size_t i, int want, const char *why_has)
{
	char why[256] = "";
	int rc = jsonl_msg_add(m, &recs[i], why, sizeof(why));

	if (rc != want)
		fail_msg("record %zu (seq %llu): got %d, expected %d (%s)", i,
		    (unsigned long long)recs[i].seq, rc, want, why);
	if (why_has != NULL && strstr(why, why_has) == NULL)
		fail_msg("record %zu: reason \"%s\" lacks \"%s\"", i, why,
		    why_has);
}

static struct jsonl_msg msg;

/* recs[at..at+n): a book message of n records, sequences from seq. */
static void
book_at(size_t at, size_t n, uint64_t seq, const char *sym)
{
	for (size_t k = 0; k < n; k++) {
		head(&recs[at + k], REC_BOOK, sym, seq + k);
		recs[at + k].flags = (uint16_t)((k == 0 ? REC_F_START : 0) |
		    (k == n - 1 ? REC_F_LAST : 0));
		recs[at + k].u.book.nbids = 1;
		recs[at + k].u.book.price[0] = 100 - (int64_t)k;
		recs[at + k].u.book.qty[0] = 1;
	}
}

static void
msg_joins_a_message_and_passes_single_records(void **state)
{
	(void)state;
	jsonl_msg_init(&msg);
	book_at(0, 3, 10, "BTC-USD");
	valid(REC_TRADE);	/* recs[0] only */
	recs[0].seq = 9;
	book_at(1, 3, 10, "BTC-USD");
	add_expect(&msg, 0, JSONL_MSG_READY, NULL);
	assert_int_equal(msg.n, 1);
	assert_int_equal(msg.recs[0].type, REC_TRADE);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	assert_int_equal(jsonl_msg_pending(&msg), 1);
	add_expect(&msg, 2, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 3, JSONL_MSG_READY, NULL);
	assert_int_equal(jsonl_msg_pending(&msg), 0);
	assert_int_equal(msg.n, 3);
	assert_int_equal(msg.recs[2].seq, 12);
}

/* A second START, or another type, ends the message unfinished. */
static void
msg_drops_a_message_without_last(void **state)
{
	(void)state;
	jsonl_msg_init(&msg);
	book_at(0, 3, 20, "BTC-USD");
	recs[1].flags = REC_F_START;	/* 20, 21: START twice */
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_AGAIN, "book message at seq 20: no LAST "
	    "before the book START record at seq 21");
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);	/* taken the 2nd time */
	add_expect(&msg, 2, JSONL_MSG_READY, NULL);
	assert_int_equal(msg.n, 2);
	assert_int_equal(msg.recs[0].seq, 21);

	book_at(0, 3, 30, "BTC-USD");
	head(&recs[2], REC_STATUS, NULL, 32);
	recs[2].u.status.code = ST_CONNECTED;
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 2, JSONL_MSG_AGAIN, "book message at seq 30..31: no "
	    "LAST before the status record at seq 32");
	add_expect(&msg, 2, JSONL_MSG_READY, NULL);
	assert_int_equal(msg.recs[0].type, REC_STATUS);
}

/*
 * Records that continue no message: expected at the start and after a
 * cut (a TAIL), a fault anywhere else (PARTIAL); the rest of that message
 * is dropped without another word.
 */
static void
msg_drops_continuations_without_start(void **state)
{
	char why[256];

	(void)state;
	jsonl_msg_init(&msg);
	book_at(0, 4, 40, "BTC-USD");
	add_expect(&msg, 1, JSONL_MSG_TAIL, "seq 41: book record without START");
	add_expect(&msg, 2, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 3, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 2, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 3, JSONL_MSG_READY, NULL);
	add_expect(&msg, 2, JSONL_MSG_PARTIAL, "seq 42: book record without "
	    "START");
	add_expect(&msg, 3, JSONL_MSG_MORE, NULL);
	/* a message cut by a gap: said by jsonl_msg_cut, then a tail */
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	assert_int_equal(jsonl_msg_cut(&msg, "cut by a gap", why, sizeof(why)),
	    1);
	assert_string_equal(why, "book message at seq 40..41: cut by a gap");
	add_expect(&msg, 3, JSONL_MSG_TAIL, NULL);
	assert_int_equal(jsonl_msg_cut(&msg, "cut", why, sizeof(why)), 0);
}

/*
 * Malformed messages are dropped whole (BAD): a record of more than 10
 * levels, one naming another symbol, a message longer than
 * JSONL_MAX_RECS records; the next message is read as usual.
 */
static void
msg_drops_malformed_messages(void **state)
{
	size_t n = JSONL_MAX_RECS + 2;
	struct tp_record *big;

	(void)state;
	jsonl_msg_init(&msg);
	book_at(0, 3, 50, "BTC-USD");
	recs[1].u.book.nasks = 10;
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 2, JSONL_MSG_BAD, "seq 51: nbids 1 + nasks 10 is more "
	    "than 10 levels");
	book_at(0, 3, 60, "BTC-USD");
	strcpy(recs[2].symbol, "ETH-USD");
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 2, JSONL_MSG_BAD, "seq 62: record of type 2, sim "
	    "\"ETH-USD\" inside a book message of sim \"BTC-USD\" from seq 60");

	big = calloc(n, sizeof(*big));
	assert_non_null(big);
	for (size_t k = 0; k < n; k++) {
		head(&big[k], REC_BOOK, "BTC-USD", 100 + k);
		big[k].flags = (uint16_t)((k == 0 ? REC_F_START : 0) |
		    (k == n - 1 ? REC_F_LAST : 0));
	}
	for (size_t k = 0; k < n; k++) {
		char why[256] = "";
		int rc = jsonl_msg_add(&msg, &big[k], why, sizeof(why));

		assert_int_equal(rc, k == JSONL_MAX_RECS ? JSONL_MSG_BAD :
		    JSONL_MSG_MORE);
		if (k == JSONL_MAX_RECS)
			assert_string_equal(why, "book message from seq 100: "
			    "more than 1024 records");
	}
	free(big);
	book_at(0, 2, 2000, "BTC-USD");
	add_expect(&msg, 0, JSONL_MSG_MORE, NULL);
	add_expect(&msg, 1, JSONL_MSG_READY, NULL);
	/* a field jsonl_check refuses, on a one-record message */
	valid(REC_TRADE);
	recs[0].u.trade.qty_exp = 100;
	add_expect(&msg, 0, JSONL_MSG_BAD, "qty exponent 100");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trade_encodes_to_the_documented_line_and_back),
		cmocka_unit_test(trade_strings_are_escaped_and_survive),
		cmocka_unit_test(book_snapshot_spanning_records_is_one_line),
		cmocka_unit_test(book_delta_and_empty_sides),
		cmocka_unit_test(book_first_update_id_round_trips),
		cmocka_unit_test(largest_book_fits_the_buffer_bound),
		cmocka_unit_test(positive_exponents_round_trip),
		cmocka_unit_test(status_with_and_without_symbol),
		cmocka_unit_test(gap_line_round_trips),
		cmocka_unit_test(valid_baselines_are_accepted),
		cmocka_unit_test(malformed_json_is_rejected_with_column),
		cmocka_unit_test(wrong_types_are_rejected_naming_the_key),
		cmocka_unit_test(missing_keys_are_rejected_naming_the_key),
		cmocka_unit_test(bad_decimals_are_rejected_with_the_text),
		cmocka_unit_test(unknown_names_and_bad_symbols_are_rejected),
		cmocka_unit_test(out_of_range_numbers_are_rejected),
		cmocka_unit_test(overlong_strings_are_rejected),
		cmocka_unit_test(embedded_nul_is_rejected),
		cmocka_unit_test(books_larger_than_the_room_given_are_rejected),
		cmocka_unit_test(book_levels_out_of_order_are_refused),
		cmocka_unit_test(check_refuses_what_decode_would_reject),
		cmocka_unit_test(check_accepts_what_prints_readably),
		cmocka_unit_test(msg_joins_a_message_and_passes_single_records),
		cmocka_unit_test(msg_drops_a_message_without_last),
		cmocka_unit_test(msg_drops_continuations_without_start),
		cmocka_unit_test(msg_drops_malformed_messages),
	};

	return cmocka_run_group_tests_name("jsonl", tests, NULL, NULL);
}
