/*
 * jsonl.h: the text form of ring data, one JSON object per line
 * (tickpipe-json(5)).  The encoder is hand-written for speed and prints
 * keys in a fixed order with "type" first; the decoder uses jansson and
 * accepts exactly what the encoder prints, rejecting anything else with a
 * reason.
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
};

/*
 * jsonl_encode: encodes one message, recs[0..n): a trade or status record
 * (n = 1) or the records of one book message (START ... LAST), into buf,
 * which must hold JSONL_BUFSIZE(n) bytes.  Appends '\n'; returns the
 * length.  "seq" is the first record's ring sequence.
 */
size_t	jsonl_encode(const struct tp_record *recs, size_t n, char *buf);

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
