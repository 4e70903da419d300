/*
 * feeds.h: the collector's built-in feeds (sim.c, feed_jsonl.c,
 * replay.c) and the options main.c parses for them.
 */
#ifndef TP_FEEDS_H
#define TP_FEEDS_H

#include <stdint.h>

#include "collector.h"

#define SIM_MAX_VENUES	3	/* sim, sim2, sim3 */

struct hist_reader;

struct feed_opts {
	uint64_t	 seed;		/* sim */
	unsigned	 venues[SIM_MAX_VENUES];	/* sim: venue ids */
	int		 nvenues;	/* sim: 0 = just "sim" */
	const char	*symbols;	/* sim and live: comma list or NULL */
	double		 rate;		/* sim: messages/s, 0 = max */
	uint64_t	 count;		/* sim: messages, 0 = unlimited */
	int		 strict;	/* jsonl: a bad line is fatal */
	double		 speed;		/* replay: 0 = max */
	int64_t		 from, to;	/* replay: ts range [from, to), ns */
	/* replay: the history replay_check opened, replay_main's to read and
	   close; NULL if none */
	struct hist_reader *hist;
};

int	sim_main(struct collector *c, const struct feed_opts *o);
/* sim_venues: parses sim's --venues list; see sim.c. */
int	sim_venues(const char *list, unsigned ids[SIM_MAX_VENUES], int *n,
	    char *why, size_t whylen);
int	jsonl_main(struct collector *c, const struct feed_opts *o,
	    const char *file);
/*
 * replay_main: replays file into the ring; the reader o->hist, if any,
 * is read instead of opening file again, and closed, o->hist set to
 * NULL.  An exit status.
 */
int	replay_main(struct collector *c, struct feed_opts *o,
	    const char *file);
/*
 * replay_check: what replay_main will read, checked before the ring is
 * opened (collector(1)): a history directory that lists and, if empty,
 * is a recorder's (hist_reader_open, whose reader it leaves in o->hist
 * for replay_main, so that the directory is listed once), a history
 * file or a capture of this build by its header.  0, or an exit status
 * (said).
 */
int	replay_check(struct feed_opts *o, const char *file);

/*
 * sleep_until: sleeps until the monotonic clock reaches t (ns) or a
 * signal arrives.
 */
void	sleep_until(int64_t t);

#endif
