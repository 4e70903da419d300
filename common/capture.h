/*
 * capture.h: the raw capture format written by `shmreader --format raw`
 * and read by `collector replay`.  A 64-byte file header, then records
 * exactly as they were in the ring, 256 bytes each, in ring order.  A gap
 * (the reader was lapped) is recorded as a record of type REC_NONE whose
 * vseq is the first lost sequence and aux the number lost, with flag
 * REC_F_NEW_RING if a ring created anew follows (its sequence starting
 * again: tickpipe-json(5) "new_ring").
 */
#ifndef TP_CAPTURE_H
#define TP_CAPTURE_H

#include <stdint.h>
#include <string.h>

#include "record.h"

#define CAP_MAGIC	"TPCAP001"

struct cap_header {
	char		magic[8];	/* CAP_MAGIC, no NUL */
	uint32_t	record_size;	/* REC_SIZE */
	uint32_t	version;	/* 1 */
	uint64_t	layout_hash;	/* rec_layout_hash() */
	uint8_t		pad[40];
};

_Static_assert(sizeof(struct cap_header) == 64, "capture header is 64 bytes");

static inline void
cap_header_init(struct cap_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CAP_MAGIC, 8);
	h->record_size = REC_SIZE;
	h->version = 1;
	h->layout_hash = rec_layout_hash();
}

/*
 * cap_gap_init: g is the gap record of records [from, from + lost), with
 * REC_F_NEW_RING if new_ring; its other fields zero (a history gives it
 * a seq and times of its own, recorder(1)).
 */
static inline void
cap_gap_init(struct tp_record *g, uint64_t from, uint64_t lost, int new_ring)
{
	memset(g, 0, sizeof(*g));
	g->type = REC_NONE;
	g->flags = new_ring ? REC_F_NEW_RING : 0;
	g->vseq = from;
	g->aux = lost;
}

/*
 * A recorder writes every record and every gap in ring order
 * (recorder(1)): cap_seq is the sequence r stands for (a gap's: the
 * first it lost), cap_seq_after the one the record after it has when
 * none is missing between them.  A gap of a new ring (cap_new_ring)
 * starts the sequence over: nothing before it is followed on.
 */
static inline uint64_t
cap_seq(const struct tp_record *r)
{
	return r->type == REC_NONE ? r->vseq : r->seq;
}

static inline int
cap_new_ring(const struct tp_record *r)
{
	return r->type == REC_NONE && (r->flags & REC_F_NEW_RING);
}

static inline uint64_t
cap_seq_after(const struct tp_record *r)
{
	return r->type == REC_NONE && !cap_new_ring(r) ? r->vseq + r->aux :
	    r->seq + 1;
}

/*
 * A gap's ts is the record's before it: the records lost lie between it
 * and the next one.  Reading [from, to) (recorder(1) cat, collector
 * replay), a gap in the range is said, and one before from is held and
 * said if the record after it is in the range: its records may be too.
 * cap_gap_range takes each record r in order: returns the gap to say now
 * (r, or the one held, whose tag is the caller's), or NULL.
 */
struct cap_gap_hold {
	struct tp_record	g;
	uint64_t		tag;
	int			has;
};

static inline const struct tp_record *
cap_gap_range(struct cap_gap_hold *h, const struct tp_record *r,
    uint64_t tag, int64_t from, int64_t to)
{
	if (r->type == REC_NONE) {
		if (r->ts >= to)
			return NULL;
		if (r->ts < from) {
			h->g = *r;
			h->tag = tag;
			h->has = 1;
			return NULL;
		}
		return r;
	}
	if (!h->has)
		return NULL;
	h->has = 0;
	return r->ts >= from && r->ts < to ? &h->g : NULL;
}

#endif
