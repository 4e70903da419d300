/*
 * derive.h: the derived streams (deriver(1)) computed from whole input
 * messages, with no I/O: full books per venue and symbol from snapshots
 * and deltas, and from them quotes, top-N books and cross-venue best
 * prices; trade bars per interval.  Every output depends only on the
 * input messages (their ts, recv and seq), never on the clock, so the
 * same input gives the same output.  Arithmetic is exact (dec.h and
 * 128-bit integers), never floating point.
 */
#ifndef TP_DERIVE_H
#define TP_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define DERIVE_MAX_TOPS		8	/* --top streams */
#define DERIVE_MAX_BARS		8	/* --bar intervals */
#define DERIVE_MAX_DEPTH	1000	/* N of --top */
#define DERIVE_VWAP_DIGITS	4	/* vwap: digits past the finest price */
#define DERIVE_EMPTY_BARS_MAX	3600	/* empty bars emitted in one go */
#define DERIVE_MAX_LEVELS	200000	/* levels a side of a book */
#define DERIVE_MAX_MARKETS	16384	/* venue and symbol pairs */
/* a ts further past its recv is not the venue's time (deriver(1), Bars) */
#define DERIVE_AHEAD_MAX_NS	(60 * INT64_C(1000000000))

/* Output: one whole message (recs[0..n), n > 1 for a book_top). */
typedef void derive_out_fn(void *arg, struct tp_record *recs, size_t n);

struct derive_config {
	unsigned	ntops;
	uint16_t	top_depth[DERIVE_MAX_TOPS];
	uint32_t	top_ms[DERIVE_MAX_TOPS];
	unsigned	nbars;
	uint64_t	bar_ms[DERIVE_MAX_BARS];
	uint64_t	stale_ms;	/* 0: never stale */
	int		quotes;		/* emit quotes */
	int		xbest;		/* emit xbest */
};

struct derive_stats {
	uint64_t	msgs;		/* input messages taken */
	uint64_t	ignored;	/* deltas to an invalid book */
	uint64_t	cuts;		/* gaps: every book invalidated */
	uint64_t	quotes, tops, bars, xbests, statuses;
	uint64_t	late;		/* trades before their bar's start */
	uint64_t	ahead;		/* ts past recv + DERIVE_AHEAD_MAX_NS */
	uint64_t	overflow;	/* bars not emitted: sums too large */
	uint64_t	unread;		/* not emitted: began before the input */
	uint64_t	reserved;	/* input of venue "all": skipped */
	uint64_t	deep;		/* books invalid: past DERIVE_MAX_LEVELS */
	uint64_t	nomarket;	/* records of markets past the bound */
};

struct derive;

/*
 * derive_new: an engine for cfg (copied), calling out(arg, ...) for each
 * output message, whose records it owns only during the call (the
 * caller copies them; their seq is 0).  Returns NULL if out of memory.
 */
struct derive	*derive_new(const struct derive_config *cfg,
		    derive_out_fn *out, void *arg);
void		 derive_free(struct derive *d);

/*
 * derive_msg: takes one whole, checked input message recs[0..n) (as
 * jsonl_msg_add gives them).  Derived records in the input are ignored.
 * Returns 0, or -1 if out of memory.
 */
int		 derive_msg(struct derive *d, const struct tp_record *recs,
		    size_t n);

/*
 * derive_cut: the input lost records (lost of them from seq from; 0 and
 * 0 if unknown, as after a ring was replaced): every book is invalid
 * until its next snapshot, and a status record says so, stamped with
 * the times of next, the first record after the gap.
 */
void		 derive_cut(struct derive *d, uint64_t from, uint64_t lost,
		    const struct tp_record *next);

/*
 * derive_late_start: the input held records before the first one taken
 * (a start at the ring's latest, or on a ring that wrapped): the bar a
 * venue and symbol's first trade opens, if it began before the first
 * record of that venue and symbol taken, may lack trades.  It is not
 * emitted; a status info says so.  Call before the first derive_msg.
 */
void		 derive_late_start(struct derive *d);

const struct derive_stats *derive_stats(const struct derive *d);

/*
 * derive_ts: the ts that what the trade or book record r causes is
 * stamped with: its own, or its recv if more than DERIVE_AHEAD_MAX_NS
 * past it (deriver(1), Bars).
 */
int64_t		 derive_ts(const struct tp_record *r);

#endif
