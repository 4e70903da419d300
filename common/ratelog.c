/*
 * ratelog.c: at most N log lines an interval, and a count of the rest;
 * see ratelog.h.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>

#include "ratelog.h"

#define SEC	1000000000LL

void
ratelog_init(struct ratelog *rl, int max, int64_t interval_ns,
    const char *name, const char *what)
{
	rl->max = max;
	rl->interval = interval_ns;
	rl->name = name;
	rl->what = what;
	rl->start = 0;
	rl->started = 0;
	rl->left = 0;
	rl->held = 0;
}

void
ratelog_flush(struct ratelog *rl)
{
	char per[32];

	if (rl->held == 0)
		return;
	if (rl->interval == SEC)
		snprintf(per, sizeof(per), "a second");
	else if (rl->interval % SEC == 0)
		snprintf(per, sizeof(per), "every %lld s",
		    (long long)(rl->interval / SEC));
	else
		snprintf(per, sizeof(per), "every %lld ms",
		    (long long)(rl->interval / 1000000));
	warnx("%s%s%llu more %s (at most %d %s)", rl->name ? rl->name : "",
	    rl->name ? ": " : "", rl->held, rl->what, rl->max, per);
	rl->held = 0;
}

int
ratelog_vsay(struct ratelog *rl, int64_t now, const char *fmt, va_list ap)
{
	if (!rl->started || now - rl->start >= rl->interval) {
		ratelog_flush(rl);
		rl->start = now;
		rl->started = 1;
		rl->left = rl->max;
	}
	if (rl->left <= 0) {
		rl->held++;
		return 0;
	}
	rl->left--;
	vwarnx(fmt, ap);
	return 1;
}

int
ratelog_say(struct ratelog *rl, int64_t now, const char *fmt, ...)
{
	va_list ap;
	int said;

	va_start(ap, fmt);
	said = ratelog_vsay(rl, now, fmt, ap);
	va_end(ap);
	return said;
}

void
ratelog_tick(struct ratelog *rl, int64_t now)
{
	if (rl->held > 0 && now - rl->start >= rl->interval)
		ratelog_flush(rl);
}
