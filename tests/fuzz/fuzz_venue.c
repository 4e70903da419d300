/*
 * fuzz_venue.c: libFuzzer target for the collector's venue adapters
 * (collector/venue_*.c), what the network hands the collector.  The
 * input's first byte picks the venue (of five); the rest is frames, one
 * a line: a line "R body" is a REST snapshot body for the first symbol
 * (the adapter's on_rest, status 200), any other a WebSocket message (its
 * on_msg), all into one feed with two symbols, as bench/venues drives
 * them but without the network.  Besides what the sanitizers see, after
 * each frame every side of every book must be sorted, best first, each
 * price once, and no longer than the depth kept (book.h).
 *
 * Seeds (tests/fuzz/seed/venue-*): the first frames of the recorded
 * captures in tests/fixtures/venues/ (README.md there names their
 * sources) for two symbols, renamed to this target's, each book array cut
 * to four levels (Kraken's re-framed as v2 by tests/mock/kraken_v1to2.py);
 * OKX's, of which there is no capture, written after its documented
 * shapes.  venue-kraken-year-1 dates a snapshot in the year 1, whose ns
 * overflowed an int64_t in rfc3339_ns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "collector.h"
#include "dec.h"
#include "lines.h"
#include "ring.h"
#include "venue.h"

#define NSYMS	2

static const struct {
	const struct venue_ops	*ops;
	const char		*sym[NSYMS];
} venues[] = {
	{ &venue_coinbase, { "BTC-USD", "ETH-USD" } },
	{ &venue_kraken, { "BTC-USD", "ETH-USD" } },
	{ &venue_binance, { "BTC-USDT", "ETH-USDT" } },
	{ &venue_bybit, { "BTC-USDT", "ETH-USDT" } },
	{ &venue_okx, { "BTC-USDT", "ETH-USDT" } },
};
#define NVENUES	(sizeof(venues) / sizeof(venues[0]))

static struct ring *ring;
static char fuzz_ring[4096];

static void
ring_gone(void)
{
	ring_close(ring);
	ring_unlink(fuzz_ring);
}

/*
 * The ring is a file (a name with '/', tickpipe-ring(5)) in $FUZZ_RING_DIR,
 * else /tmp: tests/fuzz/run-brief.sh gives its own directory, which it
 * removes whatever happened.  Not unlinked at once: the writer would see
 * its ring gone and make it again (tickpipe-ring(5), "Writer recovery").
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_RING_DIR");
	struct ring_config cfg;
	char err[256];

	(void)argc;
	(void)argv;
	venue_json_init();
	snprintf(fuzz_ring, sizeof(fuzz_ring), "%s/fuzzvenue.%d",
	    dir != NULL && *dir != '\0' ? dir : "/tmp", (int)getpid());
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = fuzz_ring;
	cfg.capacity = 4096;
	cfg.gid = (gid_t)-1;
	if (ring_writer_open(&ring, &cfg, err, sizeof(err)) != RING_OK) {
		fprintf(stderr, "fuzz_venue: %s\n", err);
		abort();
	}
	atexit(ring_gone);
	return 0;
}

/* a side: sorted best first, each price once, at most depth levels */
static void
side_check(const struct book_side *s, int ask, size_t depth)
{
	if (depth != 0 && s->n > depth)
		abort();
	for (size_t i = 1; i < s->n; i++)
		if (book_better(ask, s->lv[i - 1].price, s->lv[i - 1].price_exp,
		    s->lv[i].price, s->lv[i].price_exp) >= 0)
			abort();
	for (size_t i = 0; i < s->n; i++)
		if (s->lv[i].qty <= 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct venue_ops *ops;
	struct collector c;
	struct feed f;
	struct fsym s[NSYMS];
	size_t v, i;
	char *buf;

	if (size < 1)
		return 0;
	v = data[0] % NVENUES;
	ops = venues[v].ops;
	memset(&c, 0, sizeof(c));
	c.ring = ring;
	c.prog = "fuzz_venue";
	c.ready_fd = -1;
	memset(&f, 0, sizeof(f));
	f.ops = ops;
	f.c = &c;
	f.syms = s;
	f.nsyms = NSYMS;
	f.depth = ops->default_depth;
	memset(s, 0, sizeof(s));
	for (i = 0; i < NSYMS; i++) {
		snprintf(s[i].sym, sizeof(s[i].sym), "%s", venues[v].sym[i]);
		venue_native(ops, s[i].sym, s[i].native, sizeof(s[i].native));
		book_init(&s[i].book, 0);
		s[i].feed = &f;
	}
	if ((buf = malloc(size)) == NULL)
		return 0;
	/* each frame NUL terminated in a copy of its own, as ws.c gives it */
	for (i = 1; i < size;) {
		size_t len;

		i = fuzz_line(data, size, i, buf, &len);
		if (len >= 2 && buf[0] == 'R' && buf[1] == ' ' &&
		    ops->on_rest != NULL)
			ops->on_rest(&f, &s[0], 200, buf + 2, len - 2,
			    1700000000000000000LL);
		else
			ops->on_msg(&f, buf, len, 1700000000000000000LL);
		for (size_t k = 0; k < NSYMS; k++) {
			side_check(&s[k].book.bids, 0, s[k].book.max_depth);
			side_check(&s[k].book.asks, 1, s[k].book.max_depth);
		}
	}
	free(buf);
	ring = c.ring;
	for (i = 0; i < NSYMS; i++) {
		feed_clear_pend(&s[i]);
		free(s[i].pend);
		book_free(&s[i].book);
	}
	return 0;
}
