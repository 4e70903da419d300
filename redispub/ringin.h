/*
 * ringin.h: redispub --ring: the lines read from a tickpipe ring instead
 * of standard input (redispub(1) "READING THE RING").  The records are
 * joined into checked messages and encoded as shmreader(1) prints them,
 * gap lines included (ringlines.h), into the buffer standard input's
 * reads go to: everything after input.c is the same for both.  The ring
 * is read in the loop's one thread; the SIGBUS guard makes a truncated
 * ring an error like any other (tickpipe-ring(5) "SIGBUS").
 */
#ifndef TP_RINGIN_H
#define TP_RINGIN_H

#include <stdint.h>

#include "input.h"
#include "ring.h"
#include "ringlines.h"

struct ringin {
	const char	*name;
	uint64_t	 from;		/* where to start (ring_from) */
	struct ring	*ring;		/* NULL until the ring exists */
	struct input	*in;		/* where the lines go */
	struct ringlines rl;
	char		*big;		/* for a message too big to encode
					   in place; allocated when needed */
	int64_t		 next_look;	/* mono ns: open or follow no sooner */
	int64_t		 stop_by;	/* mono ns: finish a message begun */
	int		 said;		/* "waiting for the ring" said */
	int		 exit_code;	/* the ring's error (ring_exit), or 0 */
};

/* ringin_init: lines from the ring name, into in, starting at from. */
void	ringin_init(struct ringin *ri, struct input *in, const char *name,
	    uint64_t from, int verbose);

/* ringin_free: closes the ring. */
void	ringin_free(struct ringin *ri);

/*
 * ringin_fill: opens the ring if it is not yet (a ring that does not
 * exist yet is looked for again every 100 ms), then encodes records into
 * the input buffer while they are there and it holds less than one read
 * of lines.  With stopping, only the rest of a message begun is read,
 * for 200 ms at most; then the input ends (in->eof).  An error of the
 * ring (truncated, replaced by another build's) ends the input too, with
 * exit_code set and said on stderr.
 */
void	ringin_fill(struct ringin *ri, int stopping, int64_t now);

/*
 * ringin_can_wait: the ring is open and the input goes on: the loop may
 * sleep on it (ringin_wait) rather than in ppoll.
 */
int	ringin_can_wait(const struct ringin *ri);

/*
 * ringin_wait: sleeps on the ring's futex until a record comes or
 * timeout_ms is over; when idle, looks every 100 ms whether the writer
 * replaced the ring (ringlines_follow).
 */
void	ringin_wait(struct ringin *ri, int timeout_ms);

/*
 * ringin_next_timer: when ringin_fill must run again though no record
 * came (mono ns): to look for a ring not there yet, or to end a stop
 * whose message will not be finished; else INT64_MAX.
 */
int64_t	ringin_next_timer(const struct ringin *ri);

#endif
