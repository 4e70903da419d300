/*
 * ratelog.h: log lines limited in rate, so that a flood of bad input
 * (redispub's and `collector jsonl`'s malformed lines, a venue's
 * malformed messages, wsgate's refused connections) leaves a few lines
 * on standard error, not millions, and still says how much it held
 * back.  At most max lines are logged in an interval; the others are
 * counted, and their number is said once, in a summary line
 *
 *	PROG: [NAME: ]N more WHAT (at most MAX a second)
 *
 * ("every S s" for other intervals): when the next interval begins with
 * a line, or when the owner's periodic timer calls ratelog_tick after
 * the interval is over, and at exit through ratelog_flush.  Lines and
 * summaries go through warnx(3).  Time is the caller's monotonic clock
 * in ns, passed in, so that an event loop's cached "now" serves.
 */
#ifndef TP_RATELOG_H
#define TP_RATELOG_H

#include <stdarg.h>
#include <stdint.h>

struct ratelog {
	/* set by ratelog_init */
	int			 max;		/* lines an interval */
	int64_t			 interval;	/* ns */
	const char		*name;		/* NULL, or the summary's */
	const char		*what;		/* what was held back */

	int64_t			 start;		/* this interval's start */
	int			 started, left;	/* left: lines it may log */
	unsigned long long	 held;		/* lines not logged */
};

/*
 * ratelog_init: at most max lines every interval_ns.  name (may be NULL)
 * and what are the summary's words, e.g. "stdin" and "bad lines not
 * reported"; both strings must outlive rl.
 */
void	ratelog_init(struct ratelog *rl, int max, int64_t interval_ns,
	    const char *name, const char *what);

/*
 * ratelog_say: logs the line fmt (warnx) at time now, unless max lines
 * have been logged in this interval; then it is only counted.  A line
 * at least interval_ns after the interval began begins the next, after
 * the summary of the last.  Returns 1 if the line was logged, else 0.
 */
int	ratelog_say(struct ratelog *rl, int64_t now, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* ratelog_vsay: ratelog_say for a caller that is variadic itself. */
int	ratelog_vsay(struct ratelog *rl, int64_t now, const char *fmt,
	    va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * ratelog_tick: for the owner's periodic timer: says the summary if
 * lines were held back and the interval is over at now, so that the
 * count of a burst is told even if no line ever comes again.
 */
void	ratelog_tick(struct ratelog *rl, int64_t now);

/* ratelog_flush: says the summary now if lines were held back (exit). */
void	ratelog_flush(struct ratelog *rl);

#endif
