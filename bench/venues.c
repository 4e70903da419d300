/*
 * venues.c: normalization throughput of each live venue adapter.
 *
 * For every venue, a recorded-style message sequence in the venue's own
 * shapes (one book snapshot, then book updates of one level each with
 * every 10th message a trade; Kraken updates carry their real checksums,
 * Binance's book comes from a REST-shaped snapshot) is generated in
 * memory, then fed through the adapter's message handler: JSON parsing,
 * symbol mapping, book update, the integrity check (sequence chain or
 * checksum), exact decimals, records into a real ring.  One process, no
 * network.  Any resync or malformed message fails the run: the numbers
 * are only worth something if every message was accepted.
 *
 * usage: venues [-n messages] [venue ...]
 * prints one line per venue: "venue msgs cpu_seconds wall_seconds
 * msgs_per_cpu_second" (CPU time: the machine may be shared).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "dec.h"
#include "collector.h"
#include "ring.h"
#include "util.h"
#include "venue.h"

/* CPU time of this process: the rate on one core, whatever the load. */
static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct gen {
	char	**msg;
	size_t	  n, cap;
};

static void
add(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->msg = realloc(g->msg, g->cap * sizeof(*g->msg));
		if (g->msg == NULL)
			abort();
	}
	g->msg[g->n++] = s;
}

/* The i-th update: side, price text, quantity text. */
static void
level(size_t i, int *ask, char *p, char *q)
{
	size_t k = (i * 7) % 20;

	*ask = (int)(i & 1);
	snprintf(p, 32, "30%03zu.%02zu", *ask ? 100 + k : 99 - k, i % 100);
	if (i % 5 == 0)
		snprintf(q, 32, "0");
	else
		snprintf(q, 32, "%zu.%03zu", i % 97 + 1, i % 1000);
}

static void
shadow_set(struct book *b, int ask, const char *p, const char *q)
{
	int64_t pm, qm;
	int8_t pe, qe;

	dec_parse(p, strlen(p), &pm, &pe);
	dec_parse(q, strlen(q), &qm, &qe);
	book_set(b, ask, pm, pe, qm, qe);
}

static void
gen_venue(const char *v, struct gen *g, size_t n, char **rest)
{
	struct book sh;
	char p[32], q[32];
	int ask;

	book_init(&sh, 0);
	*rest = NULL;
	/* the snapshot: 10 levels a side */
	if (strcmp(v, "coinbase") == 0) {
		char ups[8192] = "";

		for (int k = 0; k < 10; k++)
			snprintf(ups + strlen(ups), sizeof(ups) - strlen(ups),
			    "%s{\"side\":\"bid\",\"event_time\":\"1970-01-01T00:00:00Z\",\"price_level\":\"29%03d.00\",\"new_quantity\":\"1.5\"},"
			    "{\"side\":\"offer\",\"event_time\":\"1970-01-01T00:00:00Z\",\"price_level\":\"30%03d.00\",\"new_quantity\":\"2.5\"}",
			    k ? "," : "", 999 - k, 200 + k);
		add(g, "{\"channel\":\"l2_data\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:32:50.714964855Z\",\"sequence_num\":1,\"events\":[{\"type\":\"snapshot\",\"product_id\":\"BTC-USD\",\"updates\":[%s]}]}", ups);
	} else if (strcmp(v, "kraken") == 0) {
		char b[4096] = "", a[4096] = "";

		for (int k = 0; k < 10; k++) {
			snprintf(b + strlen(b), sizeof(b) - strlen(b),
			    "%s{\"price\":29%03d.00,\"qty\":1.50000000}",
			    k ? "," : "", 999 - k);
			snprintf(a + strlen(a), sizeof(a) - strlen(a),
			    "%s{\"price\":30%03d.00,\"qty\":2.50000000}",
			    k ? "," : "", 200 + k);
			snprintf(p, sizeof(p), "29%03d.00", 999 - k);
			shadow_set(&sh, 0, p, "1.50000000");
			snprintf(p, sizeof(p), "30%03d.00", 200 + k);
			shadow_set(&sh, 1, p, "2.50000000");
		}
		add(g, "{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[%s],\"asks\":[%s],\"checksum\":%u,\"timestamp\":\"2023-10-06T17:35:55.440295Z\"}]}",
		    b, a, kraken_checksum(&sh));
	} else if (strcmp(v, "binance") == 0) {
		char b[4096] = "", a[4096] = "";

		add(g, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"U\":1,\"u\":1,\"b\":[],\"a\":[]}}");
		for (int k = 0; k < 10; k++) {
			snprintf(b + strlen(b), sizeof(b) - strlen(b),
			    "%s[\"29%03d.00\",\"1.5\"]", k ? "," : "", 999 - k);
			snprintf(a + strlen(a), sizeof(a) - strlen(a),
			    "%s[\"30%03d.00\",\"2.5\"]", k ? "," : "", 200 + k);
		}
		if (asprintf(rest, "{\"lastUpdateId\":1,\"bids\":[%s],\"asks\":[%s]}",
		    b, a) < 0)
			abort();
	} else if (strcmp(v, "bybit") == 0) {
		char b[4096] = "", a[4096] = "";

		for (int k = 0; k < 10; k++) {
			snprintf(b + strlen(b), sizeof(b) - strlen(b),
			    "%s[\"29%03d.00\",\"1.5\"]", k ? "," : "", 999 - k);
			snprintf(a + strlen(a), sizeof(a) - strlen(a),
			    "%s[\"30%03d.00\",\"2.5\"]", k ? "," : "", 200 + k);
		}
		add(g, "{\"topic\":\"orderbook.50.BTCUSDT\",\"ts\":1672304484978,\"type\":\"snapshot\",\"data\":{\"s\":\"BTCUSDT\",\"b\":[%s],\"a\":[%s],\"u\":1,\"seq\":7961638724},\"cts\":1672304484976}", b, a);
	} else {
		char b[4096] = "", a[4096] = "";

		for (int k = 0; k < 10; k++) {
			snprintf(b + strlen(b), sizeof(b) - strlen(b),
			    "%s[\"29%03d.00\",\"1.5\",\"0\",\"1\"]", k ? "," : "",
			    999 - k);
			snprintf(a + strlen(a), sizeof(a) - strlen(a),
			    "%s[\"30%03d.00\",\"2.5\",\"0\",\"1\"]", k ? "," : "",
			    200 + k);
		}
		add(g, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"snapshot\",\"data\":[{\"asks\":[%s],\"bids\":[%s],\"ts\":\"1597026383085\",\"checksum\":0,\"prevSeqId\":-1,\"seqId\":1}]}", a, b);
	}
	for (size_t i = 2, bseq = 1; g->n < n; i++) {
		if (i % 10 == 0) {
			if (strcmp(v, "coinbase") == 0)
				add(g, "{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:32:51.5Z\",\"sequence_num\":%zu,\"events\":[{\"type\":\"update\",\"trades\":[{\"trade_id\":\"%zu\",\"product_id\":\"BTC-USD\",\"price\":\"30000.01\",\"size\":\"0.001\",\"side\":\"BUY\",\"time\":\"2023-02-09T20:32:51.4Z\"}]}]}", i, i);
			else if (strcmp(v, "kraken") == 0)
				add(g, "{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"side\":\"sell\",\"price\":30000.1,\"qty\":0.00100000,\"ord_type\":\"market\",\"trade_id\":%zu,\"timestamp\":\"2023-10-06T17:35:56.123456Z\"}]}", i);
			else if (strcmp(v, "binance") == 0)
				add(g, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"t\":%zu,\"p\":\"30000.01\",\"q\":\"0.001\",\"T\":1672515782136,\"m\":true,\"M\":true}}", i);
			else if (strcmp(v, "bybit") == 0)
				add(g, "{\"topic\":\"publicTrade.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304486868,\"data\":[{\"T\":1672304486865,\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.001\",\"p\":\"30000.01\",\"L\":\"PlusTick\",\"i\":\"%zu\",\"BT\":false,\"seq\":%zu}]}", i, i);
			else
				add(g, "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\",\"tradeId\":\"%zu\",\"px\":\"30000.01\",\"sz\":\"0.001\",\"side\":\"buy\",\"ts\":\"1630048897897\",\"count\":\"1\",\"source\":\"0\",\"seqId\":%zu}]}", i, i);
			continue;
		}
		level(i, &ask, p, q);
		bseq++;
		if (strcmp(v, "coinbase") == 0) {
			add(g, "{\"channel\":\"l2_data\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:32:50.714964855Z\",\"sequence_num\":%zu,\"events\":[{\"type\":\"update\",\"product_id\":\"BTC-USD\",\"updates\":[{\"side\":\"%s\",\"event_time\":\"2023-02-09T20:32:50.714964855Z\",\"price_level\":\"%s\",\"new_quantity\":\"%s\"}]}]}",
			    i, ask ? "offer" : "bid", p, q);
		} else if (strcmp(v, "kraken") == 0) {
			shadow_set(&sh, ask, p, q);
			book_truncate(&sh, 10);
			add(g, "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[%s%s%s%s%s],\"asks\":[%s%s%s%s%s],\"checksum\":%u,\"timestamp\":\"2023-10-06T17:35:55.440295Z\"}]}",
			    ask ? "" : "{\"price\":", ask ? "" : p,
			    ask ? "" : ",\"qty\":", ask ? "" : q, ask ? "" : "}",
			    ask ? "{\"price\":" : "", ask ? p : "",
			    ask ? ",\"qty\":" : "", ask ? q : "", ask ? "}" : "",
			    kraken_checksum(&sh));
		} else if (strcmp(v, "binance") == 0) {
			add(g, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"U\":%zu,\"u\":%zu,\"b\":[%s%s%s%s%s],\"a\":[%s%s%s%s%s]}}",
			    bseq, bseq, ask ? "" : "[\"", ask ? "" : p, ask ? "" : "\",\"",
			    ask ? "" : q, ask ? "" : "\"]", ask ? "[\"" : "",
			    ask ? p : "", ask ? "\",\"" : "", ask ? q : "",
			    ask ? "\"]" : "");
		} else if (strcmp(v, "bybit") == 0) {
			add(g, "{\"topic\":\"orderbook.50.BTCUSDT\",\"ts\":1672304484978,\"type\":\"delta\",\"data\":{\"s\":\"BTCUSDT\",\"b\":[%s%s%s%s%s],\"a\":[%s%s%s%s%s],\"u\":%zu,\"seq\":%zu},\"cts\":1672304484976}",
			    ask ? "" : "[\"", ask ? "" : p, ask ? "" : "\",\"",
			    ask ? "" : q, ask ? "" : "\"]", ask ? "[\"" : "",
			    ask ? p : "", ask ? "\",\"" : "", ask ? q : "",
			    ask ? "\"]" : "", bseq, bseq);
		} else {
			add(g, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[%s%s%s%s%s],\"bids\":[%s%s%s%s%s],\"ts\":\"1597026383085\",\"checksum\":0,\"prevSeqId\":%zu,\"seqId\":%zu}]}",
			    ask ? "[\"" : "", ask ? p : "", ask ? "\",\"" : "",
			    ask ? q : "", ask ? "\",\"0\",\"1\"]" : "",
			    ask ? "" : "[\"", ask ? "" : p, ask ? "" : "\",\"",
			    ask ? "" : q, ask ? "" : "\",\"0\",\"1\"]",
			    bseq - 1, bseq);
		}
	}
	book_free(&sh);
}

static int
run(const char *v, size_t n, struct ring *ring)
{
	const struct venue_ops *ops = venue_find(v, strlen(v));
	struct collector c;
	struct feed f;
	struct fsym *s;
	struct gen g = { NULL, 0, 0 };
	char *rest;
	int64_t t0, t1, c0, c1;

	if (ops == NULL) {
		fprintf(stderr, "venues: %s: unknown venue\n", v);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.ring = ring;
	c.prog = "venues";
	c.ready_fd = -1;
	memset(&f, 0, sizeof(f));
	f.ops = ops;
	f.c = &c;
	f.syms = s = calloc(1, sizeof(*s));
	f.nsyms = 1;
	f.depth = ops->default_depth;
	snprintf(s->sym, sizeof(s->sym), "%s",
	    ops->id == VENUE_COINBASE || ops->id == VENUE_KRAKEN ? "BTC-USD" :
	    "BTC-USDT");
	venue_native(ops, s->sym, s->native, sizeof(s->native));
	book_init(&s->book, 0);
	s->feed = &f;
	gen_venue(v, &g, n, &rest);
	t0 = mono_ns();
	c0 = cpu_ns();
	for (size_t i = 0; i < g.n; i++) {
		ops->on_msg(&f, g.msg[i], strlen(g.msg[i]), t0);
		if (i == 0 && rest != NULL)
			ops->on_rest(&f, s, 200, rest, strlen(rest), t0);
	}
	c1 = cpu_ns();
	t1 = mono_ns();
	/* book messages outside the --depth window publish nothing */
	if (f.resyncs != 0 || f.malformed != 0 || !s->synced ||
	    s->updates + c.trades < g.n - 1) {
		fprintf(stderr, "venues: %s: resyncs %llu malformed %llu "
		    "synced %d applied %llu of %zu: the run is void\n", v,
		    (unsigned long long)f.resyncs,
		    (unsigned long long)f.malformed, s->synced,
		    (unsigned long long)(s->updates + c.trades), g.n);
		return -1;
	}
	printf("%s %zu %.3f %.3f %.0f\n", v, g.n, (double)(c1 - c0) / 1e9,
	    (double)(t1 - t0) / 1e9, (double)g.n * 1e9 / (double)(c1 - c0));
	for (size_t i = 0; i < g.n; i++)
		free(g.msg[i]);
	free(g.msg);
	free(rest);
	feed_clear_pend(s);
	free(s->pend);
	book_free(&s->book);
	free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *all[] = { "coinbase", "kraken", "binance", "bybit",
	    "okx" };
	struct ring_config cfg;
	struct ring *ring;
	char name[64], err[256];
	size_t n = 200000;
	int ch, rv = 0;
	uint64_t v;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || parse_u64(optarg, 100, 100000000, &v) < 0) {
			fprintf(stderr, "usage: venues [-n messages] [venue ...]\n");
			return 64;
		}
		n = (size_t)v;
	}
	argc -= optind;
	argv += optind;
	venue_json_init();
	snprintf(name, sizeof(name), "benchvenues.%d", (int)getpid());
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = name;
	cfg.gid = (gid_t)-1;
	if (ring_writer_open(&ring, &cfg, err, sizeof(err)) != RING_OK) {
		fprintf(stderr, "venues: %s\n", err);
		return 69;
	}
	if (argc == 0)
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			rv |= run(all[i], n, ring) != 0;
	else
		for (int i = 0; i < argc; i++)
			rv |= run(argv[i], n, ring) != 0;
	ring_close(ring);
	ring_unlink(name);
	return rv ? 1 : 0;
}
