/*
 * lathist.c: quantiles and the JSON text of the latency histogram (see
 * lathist.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lathist.h"

const int64_t lathist_le[LATHIST_NB - 1] = {
	1000, 2000, 5000,			/* us */
	10000, 20000, 50000,
	100000, 200000, 500000,
	1000000, 2000000, 5000000,		/* ms */
	10000000, 20000000, 50000000,
	100000000, 200000000, 500000000,
	1000000000, 2000000000, 5000000000,	/* s */
	10000000000
};

int64_t
lathist_quantile(const struct lathist *h, double q)
{
	double rank, below = 0, lo, hi, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	if (q > 1)
		q = 1;
	rank = q * (double)h->n;
	for (i = 0; i < LATHIST_NB - 1; i++) {
		if (below + (double)h->b[i] >= rank && h->b[i] > 0)
			break;
		below += (double)h->b[i];
	}
	/* the bucket's range, narrowed to what was seen */
	lo = i == 0 ? 0 : (double)lathist_le[i - 1];
	hi = i == LATHIST_NB - 1 ? (double)h->max : (double)lathist_le[i];
	if (lo < (double)h->min)
		lo = (double)h->min;
	if (hi > (double)h->max)
		hi = (double)h->max;
	v = h->b[i] == 0 ? hi : lo + (hi - lo) * (rank - below) /
	    (double)h->b[i];
	if (v < lo)
		v = lo;
	return (int64_t)v;
}

size_t
lathist_json(const struct lathist *h, char *buf, size_t len)
{
	size_t n;
	int k;

	k = snprintf(buf, len, "{\"n\":%" PRIu64 ",\"min\":%" PRId64
	    ",\"max\":%" PRId64 ",\"sum\":%" PRIu64 ",\"p50\":%" PRId64
	    ",\"p99\":%" PRId64 ",\"p999\":%" PRId64 ",\"buckets\":[",
	    h->n, h->n ? h->min : 0, h->n ? h->max : 0, h->sum,
	    lathist_quantile(h, 0.5), lathist_quantile(h, 0.99),
	    lathist_quantile(h, 0.999));
	n = k < 0 ? 0 : (size_t)k;
	for (unsigned i = 0; i < LATHIST_NB; i++) {
		k = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0,
		    "%s%" PRIu64, i ? "," : "", h->b[i]);
		n += k < 0 ? 0 : (size_t)k;
	}
	k = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0, "]}");
	n += k < 0 ? 0 : (size_t)k;
	return n;
}
