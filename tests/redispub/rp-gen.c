/*
 * rp-gen.c: writes tickpipe JSONL to stdout for redispub's tests and
 * benchmark: trades and book deltas on a few symbols, a book snapshot
 * for each symbol first and then every --snapshot-every messages of that
 * symbol.  "recv" is the wall clock when the line is written, so a
 * subscriber can measure latency.  Writes block: back-pressure from
 * the reader slows the generator down, and it then catches up.
 *
 * usage: rp-gen [--count N] [--rate N] [--symbols N] [--venue V]
 *               [--snapshot-every N] [--levels N] [--seed N]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static uint64_t rng;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* a price level "1000.NN" around 1000 */
static void
level(char *buf, size_t len, int side, uint32_t k)
{
	int cents = side ? 100 + (int)k : 99 - (int)k;	/* asks above */

	snprintf(buf, len, "[\"%d.%02d\",\"%u.%03u\"]", 1000 + cents / 100,
	    cents % 100, rnd() % 10, rnd() % 1000);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "symbols", required_argument, NULL, 's' },
		{ "venue", required_argument, NULL, 'v' },
		{ "snapshot-every", required_argument, NULL, 'k' },
		{ "levels", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t count = 1000, rate = 0, nsym = 3, every = 200, levels = 5;
	uint64_t seed = 1, i, *nmsg;
	const char *venue = "sim";
	static char syms[64][32];
	char line[8192];
	struct timespec t0, t;
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'n': bad = parse_u64(optarg, 0, UINT64_MAX, &count); break;
		case 'r': bad = parse_u64(optarg, 0, 100000000, &rate); break;
		case 's': bad = parse_u64(optarg, 1, 64, &nsym); break;
		case 'v': venue = optarg; break;
		case 'k': bad = parse_u64(optarg, 1, UINT64_MAX, &every); break;
		case 'l': bad = parse_u64(optarg, 1, 50, &levels); break;
		case 'S': bad = parse_u64(optarg, 1, UINT64_MAX, &seed); break;
		default: bad = -1;
		}
		if (bad < 0) {
			fprintf(stderr, "rp-gen: bad option\n");
			return 64;
		}
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	nmsg = calloc(nsym, sizeof(*nmsg));
	for (i = 0; i < nsym; i++)
		snprintf(syms[i], sizeof(syms[i]), "S%02" PRIu64 "-USD", i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		uint64_t s = i % nsym, k;
		size_t n;
		int64_t recv = now_ns();

		if (nmsg[s] % every == 0 || rnd() % 2 == 0) {
			int snap = nmsg[s] % every == 0;
			uint64_t nb = snap ? levels : rnd() % 3;
			uint64_t na = snap ? levels : rnd() % 3;

			n = (size_t)snprintf(line, sizeof(line),
			    "{\"type\":\"%s\",\"venue\":\"%s\",\"symbol\":\"%s\","
			    "\"seq\":%" PRIu64 ",\"vseq\":%" PRIu64 ",\"ts\":%"
			    PRId64 ",\"recv\":%" PRId64 ",\"bids\":[",
			    snap ? "book_snapshot" : "book_delta", venue,
			    syms[s], i + 1, nmsg[s] + 1, recv - 1000, recv);
			for (k = 0; k < nb; k++) {
				if (k > 0)
					line[n++] = ',';
				level(line + n, sizeof(line) - n, 0,
				    snap ? (uint32_t)k : rnd() % levels);
				n += strlen(line + n);
			}
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "],\"asks\":[");
			for (k = 0; k < na; k++) {
				if (k > 0)
					line[n++] = ',';
				level(line + n, sizeof(line) - n, 1,
				    snap ? (uint32_t)k : rnd() % levels);
				n += strlen(line + n);
			}
			/*
			 * a delta sometimes removes a level: its last ask's
			 * (with no ask the last string would be "asks")
			 */
			if (!snap && na > 0 && rnd() % 4 == 0) {
				char *q = strrchr(line, '"');
				char *p = q - 1;

				while (*p != '"')
					p--;
				memmove(p + 2, q, strlen(q) + 1);
				p[1] = '0';
				n = strlen(line);
			}
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "]}\n");
		} else {
			n = (size_t)snprintf(line, sizeof(line),
			    "{\"type\":\"trade\",\"venue\":\"%s\",\"symbol\":\"%s\","
			    "\"seq\":%" PRIu64 ",\"vseq\":%" PRIu64 ",\"ts\":%"
			    PRId64 ",\"recv\":%" PRId64 ",\"price\":\"1000.%02u\","
			    "\"qty\":\"0.%04u\",\"side\":\"%s\",\"tid\":\"%" PRIu64
			    "\"}\n", venue, syms[s], i + 1, nmsg[s] + 1,
			    recv - 1000, recv, rnd() % 100, rnd() % 10000,
			    rnd() % 2 ? "buy" : "sell", i + 1);
		}
		nmsg[s]++;
		if (fwrite(line, 1, n, stdout) != n)
			return 74;
		if (rate > 0) {
			/* the schedule of message i + 1 */
			uint64_t due = (i + 1) * 1000000000ULL / rate;
			int64_t el;

			clock_gettime(CLOCK_MONOTONIC, &t);
			el = (t.tv_sec - t0.tv_sec) * 1000000000LL +
			    (t.tv_nsec - t0.tv_nsec);
			if ((int64_t)due > el) {
				if (fflush(stdout) != 0)
					return 74;
				t.tv_sec = t0.tv_sec + (time_t)(due /
				    1000000000ULL);
				t.tv_nsec = t0.tv_nsec + (long)(due %
				    1000000000ULL);
				if (t.tv_nsec >= 1000000000L) {
					t.tv_sec++;
					t.tv_nsec -= 1000000000L;
				}
				clock_nanosleep(CLOCK_MONOTONIC,
				    TIMER_ABSTIME, &t, NULL);
			}
		}
	}
	free(nmsg);
	return fflush(stdout) != 0 ? 74 : 0;
}
