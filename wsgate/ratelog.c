/*
 * ratelog.c: rate-limited log lines, so that a flood (connections at the
 * fd limit, slow clients) leaves a few lines on stderr, not thousands.
 * The owner of a struct ratelog calls ratelog_tick from its periodic
 * timer, so a burst's count is said even when the line never comes
 * again.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ratelog.h"

static void
ratelog_said(struct ratelog *rl)
{
	if (rl->held > 0)
		fprintf(stderr, "wsgate: (the line above came %llu more times "
		    "in %lld s)\n", rl->held,
		    (long long)(RATELOG_EVERY_NS / 1000000000LL));
	rl->held = 0;
}

/*
 * ratelog_say: logs one line (fmt, after "wsgate: ") unless rl's line
 * was said less than RATELOG_EVERY_NS before now (mono ns); then the
 * repeat is only counted, and said with the next line or by the tick.
 */
void
ratelog_say(struct ratelog *rl, int64_t now, const char *fmt, ...)
{
	va_list ap;

	if (rl->last != 0 && now - rl->last < RATELOG_EVERY_NS) {
		rl->held++;
		return;
	}
	ratelog_said(rl);
	fputs("wsgate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rl->last = now;
}

/* ratelog_tick: says the repeats held for a full period. */
void
ratelog_tick(struct ratelog *rl, int64_t now)
{
	if (rl->held > 0 && now - rl->last >= RATELOG_EVERY_NS) {
		ratelog_said(rl);
		rl->last = now;
	}
}
