/*
 * ringlines.h: a ring reader's records joined into whole messages, the
 * way every reader of the JSONL stream must: a book message is collected
 * from START to LAST and checked before it is handed on (tickpipe-ring(5)
 * "Book messages"), records lost to a lap are announced as one gap that
 * also covers a message the lap cut short, its records before the lap and
 * after it (tickpipe-json(5)), and what is
 * dropped is counted and said.  Shared by shmreader(1) and redispub(1)
 * --ring, which differ only in what they do with a message or a gap.
 */
#ifndef TP_RINGLINES_H
#define TP_RINGLINES_H

#include <stddef.h>
#include <stdint.h>

#include "jsonl.h"
#include "ring.h"

struct ringlines {
	/* a whole, checked message: returns 1 if it was used (--count) */
	int	(*emit)(void *arg, const struct tp_record *recs, size_t n);
	/* records [from, from + lost) will never be read; new_ring: then
	   the sequence starts again, in a ring created anew */
	void	(*gap)(void *arg, uint64_t from, uint64_t lost, int new_ring);
	void	*arg;
	int	 verbose;	/* say also what is expected to be dropped */
	uint64_t records;	/* records read */
	uint64_t lost;		/* records lost to laps and replacements */
	uint64_t gaps;		/* gap events */
	uint64_t partial;	/* runs of records of unfinished messages */
	uint64_t skipped;	/* malformed messages, not emitted */
	struct jsonl_msg msg;	/* the book message being collected */
	/* the gap not yet announced: it takes in the rest of a message it
	   cut (ringlines.c, gap_cut) */
	int	 gap_open, gap_tail, gap_new;
	uint64_t gap_from, gap_lost;
	uint64_t gap_next;	/* the seq after it: in a new ring, its own */
};

/* ringlines_init: starts, expecting to begin mid-message. */
void	ringlines_init(struct ringlines *rl,
	    int (*emit)(void *, const struct tp_record *, size_t),
	    void (*gap)(void *, uint64_t, uint64_t, int), void *arg,
	    int verbose);

/*
 * ringlines_read: reads the next record of r, if one is there, and takes
 * it, announcing first the records a lap skipped.  Returns -1 if no
 * record was there, else what emit returned for the message the record
 * completed (0 if it completed none).
 */
int	ringlines_read(struct ringlines *rl, struct ring *r);

/*
 * ringlines_follow: for an idle reader (ring_wait returned 0): follows
 * a ring its writer replaced or recreated (ring_follow), saying so on
 * stderr and announcing what the new object no longer has, and, with a
 * gap even of 0 records, a sequence that starts again.  Returns 1 if it
 * followed, else what ring_follow returns; on an error, err says why.
 */
int	ringlines_follow(struct ringlines *rl, struct ring **rp,
	    const char *name, char *err, size_t errlen);

/*
 * ringlines_cut: the records stop following each other (the end of
 * reading): an unfinished message is dropped, said on stderr if say or
 * verbose.
 */
void	ringlines_cut(struct ringlines *rl, const char *what, int say);

/* ringlines_pending: 1 if a book message has begun but not ended. */
int	ringlines_pending(const struct ringlines *rl);

#endif
