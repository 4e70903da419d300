/*
 * backoff.c: doubling waits with a cap and optional jitter; see
 * backoff.h.
 */
#include <stdlib.h>

#include "backoff.h"

void
backoff_init(struct backoff *b, int64_t min_ms, int64_t max_ms, int jitter)
{
	b->min_ms = min_ms;
	b->max_ms = max_ms;
	b->jitter = jitter;
	b->next_ms = min_ms;
}

int64_t
backoff_next(struct backoff *b)
{
	int64_t wait = b->next_ms;

	if (b->jitter) {
		int64_t half = wait / 2;
		/* 62 random bits: enough for any wait in ms */
		uint64_t r = (uint64_t)random() << 31 | (uint64_t)random();

		wait = half + (int64_t)(r % (uint64_t)(wait - half + 1));
	}
	b->next_ms = b->next_ms > b->max_ms / 2 ? b->max_ms : b->next_ms * 2;
	return wait;
}

void
backoff_reset(struct backoff *b)
{
	b->next_ms = b->min_ms;
}
