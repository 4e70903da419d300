/*
 * jsonl.h: the text form of ring data, one JSON object per line
 * (tickpipe-json(5)).  The encoder is hand-written for speed and prints
 * keys in a fixed order with "type" first; the decoder uses jansson and
 * accepts exactly what the encoder prints, rejecting anything else with a
 * reason.  jsonl_check tells which records the encoder prints readably,
 * and jsonl_msg joins a reader's records into whole messages.
 */
#ifndef TP_JSONL_H
#define TP_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define JSONL_MAX_RECS	1024		/* records in one book message */
#define JSONL_REC_MAX	4096		/* encoded bytes per record, bound */
#define JSONL_MAX_LINE	(1 << 20)	/* longest accepted input line */

/* Bytes always enough to encode a message of n records. */
#define JSONL_BUFSIZE(n)	((size_t)(n) * JSONL_REC_MAX + 512)

struct jsonl_gap {
	uint64_t	from;		/* first sequence lost */
	uint64_t	lost;		/* how many */
	int		new_ring;	/* then seq starts again ("new_ring") */
};

/*
 * jsonl_encode: encodes one message, recs[0..n): a trade or status record
 * (n = 1) or the records of one book message (START ... LAST), into buf,
 * which must hold JSONL_BUFSIZE(n) bytes.  Appends '\n'; returns the
 * length.  "seq" is the first record's ring sequence; the other header
 * fields are the first record's too.  Only a message jsonl_check accepts
 * prints as a line jsonl_decode reads back.
 */
size_t	jsonl_encode(const struct tp_record *recs, size_t n, char *buf);

/*
 * jsonl_check: returns 0 if the message recs[0..n) prints as a line that
 * jsonl_decode accepts and that decodes to the same data, else -1 with
 * the reason in why ("seq N: ..."): an unknown record type, venue or
 * status code, a symbol that is not BASE-QUOTE (or missing outside a
 * status), an exponent outside [DEC_EXP_MIN, DEC_EXP_MAX], a negative
 * quantity or time, a number above 2^63 - 1, a string without its NUL,
 * a book record of more than REC_BOOK_LEVELS levels or naming another
 * type, venue or symbol than the first, more than one record but for a
 * book, more than JSONL_MAX_RECS records.  tickpipe-json(5) lists them.
 */
int	jsonl_check(const struct tp_record *recs, size_t n, char *why,
	    size_t len);

/*
 * A reader's book message assembly (tickpipe-ring(5), "Book messages"):
 * records go in one at a time, whole checked messages come out, and every
 * record dropped is accounted for with a reason.
 */
struct jsonl_msg {
	struct tp_record recs[JSONL_MAX_RECS];
	size_t		 n;		/* records in recs */
	int		 state;		/* private */
};

enum jsonl_msg_rc {
	JSONL_MSG_MORE = 0,	/* taken, or dropped as the rest of a message
				   already reported; nothing to do */
	JSONL_MSG_READY,	/* recs[0..n) is a whole message, checked */
	JSONL_MSG_AGAIN,	/* the unfinished message was dropped (why); the
				   record was not taken: add it again */
	JSONL_MSG_PARTIAL,	/* the record continues no message (why):
				   dropped with the rest of its message */
	JSONL_MSG_TAIL,		/* the same, right after jsonl_msg_init or
				   jsonl_msg_cut, where it is to be expected */
	JSONL_MSG_BAD,		/* the message is malformed (why, from
				   jsonl_check or its length): dropped */
};

/* jsonl_msg_init: starts, expecting to begin mid-message. */
void	jsonl_msg_init(struct jsonl_msg *m);

/*
 * jsonl_msg_add: takes the next record in ring order.  Returns one of
 * enum jsonl_msg_rc; recs[0..n) is valid until the next call.
 */
int	jsonl_msg_add(struct jsonl_msg *m, const struct tp_record *rec,
	    char *why, size_t len);

/* jsonl_msg_pending: 1 if a book message has begun but not ended. */
int	jsonl_msg_pending(const struct jsonl_msg *m);

/*
 * jsonl_msg_cut: the records stop following each other (a gap, the end
 * of the input, another ring).  Returns 1 if an unfinished message was
 * dropped, with "book message at seq F..L: " and what in why, else 0.
 * Then behaves as after jsonl_msg_init.
 */
int	jsonl_msg_cut(struct jsonl_msg *m, const char *what, char *why,
	    size_t len);

/* jsonl_type_word: the JSONL word of a record type ("trade"). */
const char *jsonl_type_word(unsigned type);

/*
 * jsonl_multi: 1 if messages of the record type may span several
 * records (START ... LAST): book and book_top.
 */
int	jsonl_multi(unsigned type);

/*
 * jsonl_interval_name: a bar interval of ms milliseconds as its name in
 * the largest unit dividing it ("1s", "250ms", "5m", "1h", "1d"), into
 * buf; returns the length.  jsonl_interval_parse reads such names (any
 * number of a unit, so "90s" too) back: 0 and *ms, or -1.
 */
size_t	jsonl_interval_name(uint64_t ms, char *buf, size_t len);
int	jsonl_interval_parse(const char *s, uint64_t *ms);

/* jsonl_encode_gap: encodes a gap line into buf (>= 128 bytes). */
size_t	jsonl_encode_gap(const struct jsonl_gap *g, char *buf);

/*
 * jsonl_decode: parses one line (without its newline) into records
 * recs[0..max).  Returns the number of records (>= 1) of a data message;
 * 0 for a gap line (filling *gap if not NULL); -1 if the line is not
 * valid, with the reason in err.  Ring sequences in the input are checked
 * for type but not kept: the ring assigns its own.
 */
int	jsonl_decode(const char *line, size_t len, struct tp_record *recs,
	    size_t max, struct jsonl_gap *gap, char *err, size_t errlen);

#endif
