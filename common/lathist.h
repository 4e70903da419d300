/*
 * lathist.h: a fixed log-scale histogram of latencies in nanoseconds,
 * cheap enough to record every message (a few compares and adds, no
 * allocation, no clock read of its own): the per-hop latencies redispub
 * puts in its statistics object and wsgate on /metrics (redispub(1),
 * wsgate(1)).
 *
 * The buckets are 1-2-5 steps from 1 us to 10 s: bucket i holds the
 * values v with lathist_le[i-1] < v <= lathist_le[i] (bucket 0 all
 * v <= 1 us, negative ones too: a clock stepped back), and the last,
 * LATHIST_NB - 1, the overflow above 10 s.  Quantiles are read from the
 * buckets, linearly within the one they fall in, and kept within the
 * smallest and largest value recorded: monotone in q, and as exact as
 * the bucket's width.
 */
#ifndef TP_LATHIST_H
#define TP_LATHIST_H

#include <stddef.h>
#include <stdint.h>

#define LATHIST_NB	23	/* 22 bounds, 1 us .. 10 s, and overflow */

extern const int64_t lathist_le[LATHIST_NB - 1];

struct lathist {
	uint64_t	n;
	uint64_t	sum;		/* ns, of the values clamped at 0 */
	int64_t		min, max;	/* ns; valid when n > 0 */
	uint64_t	b[LATHIST_NB];
};

/* lathist_bucket: the bucket of ns. */
static inline unsigned
lathist_bucket(int64_t ns)
{
	unsigned lo = 0, hi = LATHIST_NB - 1;

	/* the first bound >= ns, by halving: 5 compares */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (ns <= lathist_le[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* lathist_add: records one latency of ns nanoseconds. */
static inline void
lathist_add(struct lathist *h, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	if (h->n == 0 || ns < h->min)
		h->min = ns;
	if (h->n == 0 || ns > h->max)
		h->max = ns;
	h->n++;
	h->sum += (uint64_t)ns;
	h->b[lathist_bucket(ns)]++;
}

/*
 * lathist_quantile: the q-quantile (0 < q <= 1) in ns, interpolated in
 * its bucket and clamped to [min, max]; 0 when nothing was recorded.
 */
int64_t	lathist_quantile(const struct lathist *h, double q);

/*
 * lathist_json: the JSON object {"n":N,"min":NS,"max":NS,"sum":NS,
 * "p50":NS,"p99":NS,"p999":NS,"buckets":[C0,...,C22]} in buf (len
 * bytes, NUL terminated).  Returns the length it needs, as snprintf.
 */
size_t	lathist_json(const struct lathist *h, char *buf, size_t len);

#endif
