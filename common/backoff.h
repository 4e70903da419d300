/*
 * backoff.h: the wait between reconnection attempts, doubling from a
 * floor to a cap, optionally with jitter, reset once a connection has
 * proved good.  The collector's venue feeds use it with jitter (many
 * feeds must not knock on an exchange in step); redispub's and wsgate's
 * single Redis connections without.  Plain arithmetic: it neither sleeps
 * nor reads a clock, so the caller's event loop keeps the time.
 */
#ifndef TP_BACKOFF_H
#define TP_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t	min_ms, max_ms;	/* the floor and the cap */
	int	jitter;		/* waits drawn from [next/2, next] */
	int64_t	next_ms;	/* the wait before jitter the next time */
};

/*
 * backoff_init: a backoff whose first wait is min_ms, each one after
 * twice the one before, never more than max_ms (0 < min_ms <= max_ms).
 * With jitter, each wait is drawn uniformly from [w/2, w] instead of w,
 * with random(3), which the caller seeds.
 */
void	backoff_init(struct backoff *b, int64_t min_ms, int64_t max_ms,
	    int jitter);

/* backoff_next: the wait, in ms, before the next attempt; then doubles. */
int64_t	backoff_next(struct backoff *b);

/* backoff_reset: the connection proved good: the next wait is min_ms. */
void	backoff_reset(struct backoff *b);

#endif
