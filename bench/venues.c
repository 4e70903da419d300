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
 *
 * venues -f CAPTURE [-C] [-r reps] [-w ms] [-d depth] venue SYM...
 * feeds a recorded capture instead (tests/fixtures/venues/README.md: one
 * JSON object a line; its "recv" frames go to the adapter's message
 * handler and its "rest" bodies to its REST snapshot handler, in order),
 * for the symbols SYM (BASE-QUOTE), reps times, each time into a fresh
 * feed and books, after repetitions not counted that take ms of CPU time
 * (-w, default 0: one), and prints the same line (msgs: frames fed, the
 * counted repetitions).  The run is void if any message was malformed, a
 * book was resynced or a symbol never synced (bench/part-tardis.sh).  -C
 * skips Kraken's checksum (kraken_verify), which tardis-dev does not
 * verify: the like-for-like row beside it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

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

/* A collector on ring and a feed of adapter ops with the symbols s[0..n). */
static void
feed_setup(struct collector *c, struct feed *f, const struct venue_ops *ops,
    struct ring *ring, struct fsym *s, size_t n, size_t depth)
{
	memset(c, 0, sizeof(*c));
	c->ring = ring;
	c->prog = "venues";
	c->ready_fd = -1;
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->c = c;
	f->syms = s;
	f->nsyms = n;
	f->depth = depth;
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
	if ((s = calloc(1, sizeof(*s))) == NULL)
		abort();
	feed_setup(&c, &f, ops, ring, s, 1, ops->default_depth);
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

/* --- recorded captures (-f) --- */

struct frame {
	char	*text;
	size_t	 len;
	char	*rest_sym;	/* a REST body: the venue's symbol; else NULL */
};

/*
 * Reads the capture at path into *out (*n frames: its "recv" and "rest"
 * lines, in order).  Returns 0, or -1 with a message on stderr.
 */
static int
capture_load(const char *path, struct frame **out, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, nf = 0, capf = 0, lineno = 0;
	struct frame *fr = NULL;
	ssize_t len;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)len, 0, &je), *t, *x, *y;
		const char *kind;

		lineno++;
		if (o == NULL || (t = json_object_get(o, "t")) == NULL ||
		    (kind = json_string_value(t)) == NULL) {
			fprintf(stderr, "venues: %s:%zu: not a capture line\n",
			    path, lineno);
			goto err;
		}
		x = json_object_get(o, "text");
		y = json_object_get(o, "symbol");
		if (strcmp(kind, "recv") == 0 || strcmp(kind, "rest") == 0) {
			int rest = strcmp(kind, "rest") == 0;

			if (!json_is_string(x) || (rest && !json_is_string(y))) {
				fprintf(stderr, "venues: %s:%zu: no text\n",
				    path, lineno);
				json_decref(o);
				goto err;
			}
			if (nf == capf) {
				capf = capf ? 2 * capf : 1024;
				fr = realloc(fr, capf * sizeof(*fr));
				if (fr == NULL)
					abort();
			}
			fr[nf].len = json_string_length(x);
			fr[nf].text = malloc(fr[nf].len + 1);
			if (fr[nf].text == NULL)
				abort();
			memcpy(fr[nf].text, json_string_value(x), fr[nf].len + 1);
			fr[nf].rest_sym = rest ?
			    strdup(json_string_value(y)) : NULL;
			nf++;
		}
		json_decref(o);
	}
	free(line);
	fclose(fp);
	*out = fr;
	*n = nf;
	return 0;
err:
	free(line);
	fclose(fp);
	for (size_t i = 0; i < nf; i++) {
		free(fr[i].text);
		free(fr[i].rest_sym);
	}
	free(fr);
	return -1;
}

/*
 * One repetition: feeds the frames fr[0..n) to the adapter ops for the
 * symbols syms[0..nsyms), into a fresh feed and books, and adds the
 * handlers' CPU and wall time to *cpu and *wall.  Returns 0, or -1 when
 * the repetition was void (said on stderr).
 */
static int
capture_pass(const struct venue_ops *ops, const struct frame *fr, size_t n,
    size_t depth, char **syms, int nsyms, struct ring *ring, int verbose,
    int64_t *cpu, int64_t *wall)
{
	struct collector c;
	struct feed f;
	struct fsym *s = calloc((size_t)nsyms, sizeof(*s));
	int64_t t0, c0;
	uint64_t applied = 0;
	int ok = 1;

	if (s == NULL)
		abort();
	feed_setup(&c, &f, ops, ring, s, (size_t)nsyms,
	    depth ? depth : ops->default_depth);
	for (int i = 0; i < nsyms; i++) {
		snprintf(s[i].sym, sizeof(s[i].sym), "%s", syms[i]);
		venue_native(ops, s[i].sym, s[i].native, sizeof(s[i].native));
		book_init(&s[i].book, 0);
		s[i].feed = &f;
	}
	t0 = mono_ns();
	c0 = cpu_ns();
	for (size_t i = 0; i < n; i++) {
		if (fr[i].rest_sym == NULL) {
			ops->on_msg(&f, fr[i].text, fr[i].len, t0);
			continue;
		}
		for (int k = 0; k < nsyms; k++)
			if (strcmp(s[k].native, fr[i].rest_sym) == 0)
				ops->on_rest(&f, &s[k], 200, fr[i].text,
				    fr[i].len, t0);
	}
	*cpu += cpu_ns() - c0;
	*wall += mono_ns() - t0;
	for (int i = 0; i < nsyms; i++) {
		ok &= s[i].synced;
		applied += s[i].updates;
	}
	if (!ok || f.resyncs != 0 || f.malformed != 0)
		fprintf(stderr, "venues: %s: resyncs %llu malformed %llu, a "
		    "symbol not synced: the run is void\n", ops->name,
		    (unsigned long long)f.resyncs,
		    (unsigned long long)f.malformed);
	else if (verbose)
		fprintf(stderr, "venues: %s: %llu book messages applied, %llu "
		    "trades, %llu records\n", ops->name,
		    (unsigned long long)applied, (unsigned long long)c.trades,
		    (unsigned long long)c.records);
	for (int i = 0; i < nsyms; i++) {
		feed_clear_pend(&s[i]);
		free(s[i].pend);
		book_free(&s[i].book);
	}
	free(s);
	return ok && f.resyncs == 0 && f.malformed == 0 ? 0 : -1;
}

/*
 * Feeds the frames fr[0..n) to the adapter v for the symbols
 * syms[0..nsyms): repetitions not counted until they have taken warm
 * CPU nanoseconds (at least one: caches, the ring's pages), then reps
 * counted ones, each into a fresh feed, and prints the result line.
 * Only the handlers' CPU time is counted.  Returns 0, or -1 when a
 * repetition was void.
 */
static int
run_capture(const char *v, const struct frame *fr, size_t n, int reps,
    int64_t warm, size_t depth, char **syms, int nsyms, struct ring *ring)
{
	const struct venue_ops *ops = venue_find(v, strlen(v));
	int64_t cpu = 0, wall = 0;
	int verbose = getenv("VENUES_VERBOSE") != NULL;

	if (ops == NULL) {
		fprintf(stderr, "venues: %s: unknown venue\n", v);
		return -1;
	}
	do {
		if (capture_pass(ops, fr, n, depth, syms, nsyms, ring, verbose,
		    &cpu, &wall) != 0)
			return -1;
		verbose = 0;
	} while (cpu < warm);
	cpu = wall = 0;
	for (int r = 0; r < reps; r++)
		if (capture_pass(ops, fr, n, depth, syms, nsyms, ring, 0, &cpu,
		    &wall) != 0)
			return -1;
	printf("%s %zu %.3f %.3f %.0f\n", v, n * (size_t)reps,
	    (double)cpu / 1e9, (double)wall / 1e9,
	    (double)n * reps * 1e9 / (double)cpu);
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
	int ch, rv = 0, reps = 1;
	uint64_t v;
	const char *capture = NULL;
	size_t depth = 0;
	int64_t warm = 0;

	while ((ch = getopt(argc, argv, "n:f:r:w:d:C")) != -1) {
		if (ch == 'f') {
			capture = optarg;
			continue;
		}
		if (ch == 'C') {
			kraken_verify = 0;
			continue;
		}
		if ((ch != 'n' && ch != 'r' && ch != 'w' && ch != 'd') ||
		    parse_u64(optarg, ch == 'n' ? 100 : ch == 'w' ? 0 : 1,
		    100000000, &v) < 0) {
			fprintf(stderr, "usage: venues [-n messages] [venue ...]\n"
			    "       venues -f capture [-C] [-r reps] [-w ms] "
			    "[-d depth] venue SYM...\n");
			return 64;
		}
		if (ch == 'n')
			n = (size_t)v;
		else if (ch == 'r')
			reps = (int)v;
		else if (ch == 'w')
			warm = (int64_t)v * 1000000;
		else
			depth = (size_t)v;
	}
	argc -= optind;
	argv += optind;
	if (capture != NULL && argc < 2) {
		fprintf(stderr, "venues: -f needs a venue and its symbols\n");
		return 64;
	}
	venue_json_init();
	snprintf(name, sizeof(name), "benchvenues.%d", (int)getpid());
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = name;
	cfg.gid = (gid_t)-1;
	if (ring_writer_open(&ring, &cfg, err, sizeof(err)) != RING_OK) {
		fprintf(stderr, "venues: %s\n", err);
		return 69;
	}
	if (capture != NULL) {
		struct frame *fr;
		size_t nf;

		if (capture_load(capture, &fr, &nf) != 0)
			rv = 1;
		else {
			rv = run_capture(argv[0], fr, nf, reps, warm, depth,
			    argv + 1, argc - 1, ring) != 0;
			for (size_t i = 0; i < nf; i++) {
				free(fr[i].text);
				free(fr[i].rest_sym);
			}
			free(fr);
		}
	} else if (argc == 0)
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			rv |= run(all[i], n, ring) != 0;
	else
		for (int i = 0; i < argc; i++)
			rv |= run(argv[i], n, ring) != 0;
	ring_close(ring);
	ring_unlink(name);
	return rv ? 1 : 0;
}
