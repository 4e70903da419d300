/*
 * recfilter.h: the message filters of shmreader(1), --venue, --symbol and
 * --type, shared by every program that prints records (shmreader,
 * `recorder cat`).  A message is judged by its first record.
 */
#ifndef TP_RECFILTER_H
#define TP_RECFILTER_H

#include <stddef.h>

#include "record.h"

struct recfilter {
	unsigned	 venue;		/* 0: any */
	const char	*symbol;	/* NULL: any; points into argv */
	int		 type;		/* 0: any; set by recfilter_option */
};

/*
 * recfilter_option: applies the filter option NAME ("venue", "symbol" or
 * "type") with its argument ARG (kept, not copied).  Returns 0, or -1
 * with the one-line usage message ("--type x: must be ...") in err.
 */
int	 recfilter_option(struct recfilter *f, const char *name,
	    const char *arg, char *err, size_t errlen);

/* recfilter_wants: 1 if the message starting with rec passes f. */
int	 recfilter_wants(const struct recfilter *f, const struct tp_record *rec);

#endif
