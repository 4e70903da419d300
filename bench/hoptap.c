/*
 * hoptap: one tap of the per-hop latency breakdown (bench/part-hops.sh).
 * Measures, for messages the collector stamped with its receive time
 * ("recv", tickpipe-ring(5), tickpipe-json(5)), the time from that stamp
 * to this tap's receipt (wall clock, ns since the epoch, the same clock).
 *
 *   hoptap ring NAME COUNT
 *	reads at most COUNT records from the ring NAME (from the latest one
 *	on, blocking in ring_wait as shmreader does), until none came for a
 *	second after the first: collector -> ring reader.
 *   hoptap lines COUNT
 *	reads at most COUNT JSONL lines from stdin (shmreader's output),
 *	until end of file: collector -> ring -> shmreader -> a pipe.
 *
 * Prints "n=N p50_us=A p99_us=B"; the first SKIP are not sampled
 * (start-up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "util.h"

#define SKIP	1000	/* start-up: not sampled */

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
report(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp64);
	printf("n=%zu p50_us=%.1f p99_us=%.1f\n", n,
	    n ? (double)v[n / 2] / 1e3 : 0, n ? (double)v[n * 99 / 100] / 1e3 : 0);
}

int
main(int argc, char **argv)
{
	uint64_t count;
	int64_t *v;
	size_t n = 0, seen = 0;

	if (argc < 3 || (strcmp(argv[1], "ring") == 0 && argc != 4) ||
	    (strcmp(argv[1], "lines") == 0 && argc != 3) ||
	    parse_u64(argv[argc - 1], 1, 100000000, &count) < 0) {
		fprintf(stderr, "usage: hoptap ring NAME COUNT\n"
		    "       hoptap lines COUNT\n");
		return 64;
	}
	if ((v = calloc(count, sizeof(*v))) == NULL)
		return 1;
	if (strcmp(argv[1], "ring") == 0) {
		struct ring *r;
		struct tp_record rec;
		uint64_t lost = 0;
		char err[256];

		if (ring_reader_open(&r, argv[2], err, sizeof(err)) != RING_OK) {
			fprintf(stderr, "hoptap: %s\n", err);
			free(v);
			return 69;
		}
		ring_seek_latest(r);
		while (seen < count) {
			if (!ring_read(r, &rec, &lost)) {
				if (ring_wait(r, 0, 1000) == 0 && seen > 0)
					break;
				continue;
			}
			if (seen++ >= SKIP)
				v[n++] = now_ns() - rec.recv;
		}
		ring_close(r);
	} else {
		char *line = NULL;
		size_t cap = 0;

		while (seen < count && getline(&line, &cap, stdin) > 0) {
			int64_t now = now_ns(), t = 0;
			const char *s = strstr(line, "\"recv\":");

			if (s == NULL)
				continue;
			for (s += 7; *s >= '0' && *s <= '9'; s++)
				t = t * 10 + (*s - '0');
			if (seen++ >= SKIP)
				v[n++] = now - t;
		}
		free(line);
	}
	report(v, n);
	free(v);
	return 0;
}
