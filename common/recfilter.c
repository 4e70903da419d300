/*
 * recfilter.c: the message filters of shmreader(1); see recfilter.h.
 */
#include <stdio.h>
#include <string.h>

#include "recfilter.h"

/* --type names; book_snapshot and book_delta split REC_BOOK by its flag */
enum { RECF_ANY = 0, RECF_TRADE, RECF_BOOK, RECF_BOOK_SNAPSHOT,
	RECF_BOOK_DELTA, RECF_STATUS, RECF_QUOTE, RECF_BOOK_TOP, RECF_BAR,
	RECF_XBEST };

static const char *const type_names[] = {
	[RECF_TRADE] = "trade", [RECF_BOOK] = "book",
	[RECF_BOOK_SNAPSHOT] = "book_snapshot", [RECF_BOOK_DELTA] = "book_delta",
	[RECF_STATUS] = "status", [RECF_QUOTE] = "quote",
	[RECF_BOOK_TOP] = "book_top", [RECF_BAR] = "bar",
	[RECF_XBEST] = "xbest",
};
#define NTYPES	(sizeof(type_names) / sizeof(type_names[0]))

int
recfilter_option(struct recfilter *f, const char *name, const char *arg,
    char *err, size_t errlen)
{
	/* one of each: a second replaced the first without a word */
	if ((strcmp(name, "venue") == 0 && f->venue != 0) ||
	    (strcmp(name, "symbol") == 0 && f->symbol != NULL) ||
	    (strcmp(name, "type") == 0 && f->type != 0)) {
		snprintf(err, errlen, "--%s %s: given twice (one of each)",
		    name, arg);
		return -1;
	}
	if (strcmp(name, "venue") == 0) {
		if ((f->venue = venue_id(arg)) == VENUE_UNKNOWN) {
			snprintf(err, errlen, "--venue %s: unknown venue", arg);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "symbol") == 0) {
		if (!rec_symbol_ok(arg)) {
			snprintf(err, errlen, "--symbol %s: not BASE-QUOTE",
			    arg);
			return -1;
		}
		f->symbol = arg;
		return 0;
	}
	for (size_t i = 1; i < NTYPES; i++)
		if (strcmp(arg, type_names[i]) == 0) {
			f->type = (int)i;
			return 0;
		}
	snprintf(err, errlen, "--type %s: must be trade, book, book_snapshot, "
	    "book_delta, status, quote, book_top, bar or xbest", arg);
	return -1;
}

int
recfilter_wants(const struct recfilter *f, const struct tp_record *rec)
{
	if (f->venue != 0 && rec->venue != f->venue)
		return 0;
	if (f->symbol != NULL && strncmp(rec->symbol, f->symbol,
	    REC_SYMBOL_LEN) != 0)
		return 0;
	switch (f->type) {
	case RECF_TRADE:
		return rec->type == REC_TRADE;
	case RECF_BOOK:
		return rec->type == REC_BOOK;
	case RECF_BOOK_SNAPSHOT:
		return rec->type == REC_BOOK && (rec->flags & REC_F_SNAPSHOT);
	case RECF_BOOK_DELTA:
		return rec->type == REC_BOOK && !(rec->flags & REC_F_SNAPSHOT);
	case RECF_STATUS:
		return rec->type == REC_STATUS;
	case RECF_QUOTE:
		return rec->type == REC_QUOTE;
	case RECF_BOOK_TOP:
		return rec->type == REC_BOOK_TOP;
	case RECF_BAR:
		return rec->type == REC_BAR;
	case RECF_XBEST:
		return rec->type == REC_XBEST;
	}
	return 1;
}
