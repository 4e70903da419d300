/*
 * ratelog.h: a log line said at most every RATELOG_EVERY_NS; the
 * repeats are counted and their number said (ratelog.c).
 */
#ifndef WSGATE_RATELOG_H
#define WSGATE_RATELOG_H

#include <stdint.h>

#define RATELOG_EVERY_NS	(10 * 1000000000LL)

struct ratelog {
	int64_t		 last;		/* mono ns it was last said */
	unsigned long long held;	/* repeats not said since */
};

void	ratelog_say(struct ratelog *, int64_t now, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	ratelog_tick(struct ratelog *, int64_t now);

#endif
